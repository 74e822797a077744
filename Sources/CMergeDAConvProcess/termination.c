/* termination.c: removal of temporary files when a signal ends the process, see merge_daconv_termination.h.
 *
 * A slot goes free -> filling -> armed -> free; the handler claims armed slots (armed -> claimed) before it
 * reads their path, and a claimed slot is never freed or refilled, so the handler never reads a path that is
 * being rewritten. Everything the handler calls (atomics, unlink, sigaction, raise) is async-signal-safe. */
#define _GNU_SOURCE
#include "merge_daconv_termination.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

enum { SLOT_FREE = 0, SLOT_FILLING = 1, SLOT_ARMED = 2, SLOT_CLAIMED = 3 };

static _Atomic int slot_state[MDK_TERMINATION_SLOTS];
static char slot_path[MDK_TERMINATION_SLOTS][MDK_TERMINATION_PATH_MAX + 1];
static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_registered_files(int signal_number) {
    for (int i = 0; i < MDK_TERMINATION_SLOTS; ++i) {
        int armed = SLOT_ARMED;
        if (atomic_compare_exchange_strong(&slot_state[i], &armed, SLOT_CLAIMED)) unlink(slot_path[i]);
    }
    /* End the process the way the signal would have: the parent sees "killed by SIGTERM", not an exit code. */
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal_number, &fallback, NULL);
    raise(signal_number);
}

int mdk_termination_install(void) {
    int handled = 0;
    for (size_t i = 0; i < sizeof handled_signals / sizeof handled_signals[0]; ++i) {
        struct sigaction current;
        if (sigaction(handled_signals[i], NULL, &current) != 0) continue;
        if (current.sa_handler == remove_registered_files) {
            ++handled;
            continue;
        }
        if ((current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = remove_registered_files;
        sigfillset(&action.sa_mask); /* one cleanup at a time, whichever signal came first */
        if (sigaction(handled_signals[i], &action, NULL) == 0) ++handled;
    }
    return handled;
}

int64_t mdk_termination_add(const char *path) {
    const size_t length = strlen(path);
    if (length > MDK_TERMINATION_PATH_MAX) return -1;
    for (int i = 0; i < MDK_TERMINATION_SLOTS; ++i) {
        int free_state = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&slot_state[i], &free_state, SLOT_FILLING)) continue;
        memcpy(slot_path[i], path, length + 1);
        atomic_store(&slot_state[i], SLOT_ARMED);
        return i;
    }
    return -1;
}

void mdk_termination_remove(int64_t slot) {
    if (slot < 0 || slot >= MDK_TERMINATION_SLOTS) return;
    int armed = SLOT_ARMED;
    /* Fails only if the handler claimed the slot: the process is ending, and the slot must stay claimed. */
    atomic_compare_exchange_strong(&slot_state[slot], &armed, SLOT_FREE);
}

int64_t mdk_termination_count(void) {
    int64_t count = 0;
    for (int i = 0; i < MDK_TERMINATION_SLOTS; ++i) count += atomic_load(&slot_state[i]) == SLOT_ARMED;
    return count;
}
