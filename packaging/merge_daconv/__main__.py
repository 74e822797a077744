"""`python -m merge_daconv ARGS` runs `merge-daconv ARGS`."""

from merge_daconv import main

main()
