"""Writes a scenario's checkpoint with torch, merges it with the tool, and caches the result per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from interop_support.scenarios import CONTAINERS, SCENARIOS, sample_input
from interop_support.tool import Run, read_report, rule_arguments

TRAINING_EXTRAS = {"best_psnr": 23.5, "config": {"lr": 1e-3, "milestones": [10, 20], "pretrained": None,
                                                 "amp": True, "name": "tiny"}}


@dataclass
class Merged:
    """A merged scenario: the network (as saved), the input, output and report paths, the tool's run."""

    scenario: object
    net: nn.Module
    input_path: Path
    output_path: Path
    report_path: Path
    run: Run

    @property
    def report(self):
        """The report the tool wrote (None if it wrote none)."""
        return read_report(self.report_path)


def trained(net):
    """Two seeded Adam steps (and StepLR steps) on ``net`` in training mode; returns the checkpoint dict
    ``{"epoch", "model", "optimizer", "scheduler", "best_psnr", "config"}`` with ``net`` back in eval mode."""
    net.train()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
    generator = torch.Generator().manual_seed(99)
    for _ in range(2):
        optimizer.zero_grad()
        x = torch.randn((2, 3, 17, 13), generator=generator).to(next(net.parameters()).dtype)
        net(x).square().mean().backward()
        optimizer.step()
        scheduler.step()
    net.eval()
    return {"epoch": 12, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), **TRAINING_EXTRAS}


def checkpoint_payload(scenario, net):
    """The object ``torch.save`` writes for the scenario's container."""
    if scenario.container == "training":
        return trained(net)
    if scenario.container == "dataparallel":
        return nn.DataParallel(net).state_dict()
    if scenario.whole_module:
        return net
    return net.state_dict()


def write_input(scenario, folder):
    """Builds the scenario's network, saves its checkpoint to ``folder/input.pth``; returns (net, path)."""
    net = scenario.make_net()
    path = Path(folder) / "input.pth"
    torch.save(checkpoint_payload(scenario, net), path, **CONTAINERS[scenario.container][1])
    return net, path


def merge(tool, scenario, folder, *extra):
    """Writes the scenario's input in ``folder`` and runs the tool on it with a report; returns ``Merged``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net, input_path = write_input(scenario, folder)
    output_path, report_path = folder / "merged.pth", folder / "report.json"
    command = ["merge"] if scenario.subcommand else []
    command += [input_path, output_path, "--report", report_path]
    command += rule_arguments(scenario, folder) + list(scenario.extra_args) + list(extra)
    return Merged(scenario, net, input_path, output_path, report_path, tool.run(*command))


class MergeCache:
    """Merges each scenario at most once per session (every check of a scenario shares one tool run)."""

    def __init__(self, tool, root):
        self.tool, self.root, self.done = tool, Path(root), {}

    def get(self, name):
        """The ``Merged`` of scenario ``name``, merging it on first use; asserts the tool succeeded."""
        if name not in self.done:
            self.done[name] = merge(self.tool, SCENARIOS[name], self.root / name)
        merged = self.done[name]
        assert merged.run.returncode == 0, merged.run.describe()
        assert merged.output_path.is_file(), "exit 0 but no output file\n" + merged.run.describe()
        return merged


def sample(merged, dtype=torch.float64):
    """The scenario's seeded input batch in ``dtype``."""
    return sample_input(merged.scenario, dtype)
