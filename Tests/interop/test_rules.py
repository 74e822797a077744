"""Custom folding rules, given as ``--branch NAME:KIND:GATE`` flags or as a ``--rules`` file.

The scenarios ``custom_rules_flags``, ``custom_rules_file`` and ``custom_rules_replace_defaults`` run
through every matrix test (equivalence, values, layout, report, file). Here: both spellings of the same
rules give the same file, and the rules file accepts comment lines.
"""

from interop_support.scenarios import SCENARIOS


def test_flags_and_rules_file_give_identical_files(merges):
    flags, from_file = merges.get("custom_rules_flags"), merges.get("custom_rules_file")
    assert flags.input_path.read_bytes() == from_file.input_path.read_bytes(), "inputs differ: torch.save?"
    assert flags.output_path.read_bytes() == from_file.output_path.read_bytes()


def test_rules_file_has_a_comment_and_the_three_rules(merges):
    text = (merges.get("custom_rules_file").output_path.parent / "rules.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("#")
    assert lines[1:] == [rule.line() for rule in SCENARIOS["custom_rules_file"].rules]
    assert lines[1:] == ["a add ta", "d difference td", "v vanilla none"]
