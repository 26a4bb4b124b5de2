"""Cases built by hand with the metadata schemathesis' generator gives them, for deterministic tests of
a check adapted in contracts/adapt.py: the very case a random run once met, sent and judged."""

from __future__ import annotations

from typing import Any


def negative_query_case(
    operation: Any, path_parameters: dict[str, str], query: dict[str, Any], valid: dict[str, Any] | None = None
) -> Any:
    """A case of ``operation`` as the negative generator makes one when it turns each query
    parameter named in ``query`` into an object (``{"": x}`` goes out as ``?name=``), in the
    stateful phase, where CI first met it; the ``valid`` query parameters are sent unmutated."""
    from schemathesis import GenerationMode
    from schemathesis.core.error_feedback.store import ParameterPath
    from schemathesis.core.mutations import Mutation, MutationChannel, OperatorKind
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import (
        CaseMetadata,
        ComponentInfo,
        GenerationInfo,
        PhaseInfo,
        StatefulPhaseData,
        TestPhase,
    )

    path: ParameterPath = ()
    mutations = tuple(
        Mutation(
            path,
            ParameterLocation.QUERY,
            "/type",
            MutationChannel.SCHEMA,
            OperatorKind.CHANGE_TYPE,
            ("type",),
            name,
            None,
            value,
        )
        for name, value in query.items()
    )
    data = StatefulPhaseData("Invalid type", None, ParameterLocation.QUERY, None, mutations)
    meta = CaseMetadata(
        generation=GenerationInfo(time=0.0, mode=GenerationMode.NEGATIVE),
        components={
            ParameterLocation.PATH: ComponentInfo(mode=GenerationMode.POSITIVE),
            ParameterLocation.QUERY: ComponentInfo(mode=GenerationMode.NEGATIVE),
        },
        phase=PhaseInfo(name=TestPhase.STATEFUL, data=data),
    )
    return operation.Case(path_parameters=path_parameters, query={**(valid or {}), **query}, _meta=meta)


def assert_accepted_bad_data_excused(vendor: str, case: Any, response: Any) -> None:
    """schemathesis' own ``negative_data_rejection`` fails ``response`` to ``case`` (accepted bad data,
    and nothing else), and ``vendor``'s adapted check passes it: the false positive is real and excused."""
    import pytest
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import AcceptedNegativeData

    from contracts import checks, suite

    with pytest.raises(FailureGroup) as found:
        case.validate_response(response, checks=[checks.functions()["negative_data_rejection"]])
    assert [type(failure) for failure in found.value.exceptions] == [AcceptedNegativeData]
    case.validate_response(response, checks=[suite.check_functions(vendor)["negative_data_rejection"]])
