"""A contract run's report: the terminal summary table per vendor and check, and JUnit XML for CI."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from contracts.checks import NAMES
from contracts.suite import Outcome


def summary(outcomes: Sequence[Outcome]) -> str:
    """One row per vendor x check: answers that passed and failed, then the failures in full."""
    lines = [f"{'vendor':<10} {'check':<30} {'passed':>7} {'failed':>7}"]
    for outcome in outcomes:
        for check in NAMES:
            passed = sum(n for (_, name), n in outcome.passed.items() if name == check)
            failed = sum(n for (_, name), n in outcome.failed.items() if name == check)
            if passed or failed:
                lines.append(f"{outcome.vendor:<10} {check:<30} {passed:>7} {failed:>7}")
        lines.append(
            f"{outcome.vendor:<10} {'(requests sent, seconds)':<30} {outcome.requests:>7} {outcome.seconds:>7.1f}"
        )
        linked = sum(outcome.links.values())
        done = sum(outcome.succeeded.values())
        if linked:
            lines.append(f"{outcome.vendor:<10} {'(linked steps, of them done)':<30} {linked:>7} {done:>7}")
    for outcome in outcomes:
        for failure in outcome.failures:
            lines += [
                "",
                f"FAILED {failure.vendor} {failure.operation} [{failure.check}]: {failure.message}",
                f"  request:  {failure.request}",
                f"  response: {failure.response}",
            ]
    return "\n".join(lines) + "\n"


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (control characters, lone surrogates), even escaped."""


def _xml_text(text: str) -> str:
    """``text`` with each character XML cannot carry written as its Python escape (``\\x00``)."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def junit(outcomes: Sequence[Outcome]) -> bytes:
    """JUnit XML: one testsuite per vendor, one testcase per operation x check."""
    root = ET.Element("testsuites", name="atsmock contract")
    for outcome in outcomes:
        keys = sorted(set(outcome.passed) | set(outcome.failed))
        failures = {(f.operation, f.check): f for f in outcome.failures}
        suite = ET.SubElement(
            root,
            "testsuite",
            name=outcome.vendor,
            tests=str(len(keys)),
            failures=str(len(failures)),
            time=f"{outcome.seconds:.3f}",
        )
        for operation, check in keys:
            case = ET.SubElement(suite, "testcase", classname=f"{outcome.vendor}.{operation}", name=check)
            failure = failures.get((operation, check))
            if failure is not None:
                first = failure.message.splitlines()[0] if failure.message else ""
                element = ET.SubElement(case, "failure", message=_xml_text(first))
                text = f"{failure.message}\n\nrequest:\n{failure.request}\n\nresponse:\n{failure.response}"
                element.text = _xml_text(text)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
