"""Outcomes per type: wage arrears record the amount recovered and the workers covered (the keys
statistics read), partial resolution, no agreement (arbitration advised) and withdrawal."""
from datetime import date

import pytest

from service.errors import Invalid
from service.help_requests.outcomes import clean_outcome, describe

TODAY = date(2026, 12, 1)


def test_a_wage_arrears_case_records_what_was_recovered_for_how_many():
    outcome = clean_outcome("wage_arrears", {"result": "resolved", "summary": "公司已补发工资",
                                             "amount_recovered": "12500.5", "workers_covered": "3"}, today=TODAY)
    assert outcome["amount_recovered"] == "12500.50" and outcome["workers_covered"] == 3
    assert "已追回工资12500.50元（涉及3名职工）" in describe(outcome)


def test_partial_needs_the_figures_and_what_is_left():
    with pytest.raises(Invalid) as error:
        clean_outcome("wage_arrears", {"result": "partial"}, today=TODAY)
    assert set(error.value.fields) == {"summary", "amount_recovered", "workers_covered"}
    outcome = clean_outcome("wage_arrears", {"result": "partial", "summary": "追回两个月，另一个月仍在协商",
                                             "amount_recovered": 8000, "workers_covered": 1}, today=TODAY)
    assert outcome["amount_recovered"] == "8000.00" and describe(outcome).startswith("部分解决")


@pytest.mark.parametrize("amount", ["-1", "NaN", "1e400", "abc", [1], True, {"a": 1}, "Infinity"])
def test_bad_amounts_are_refused_in_chinese(amount):
    with pytest.raises(Invalid) as error:
        clean_outcome("wage_arrears", {"result": "resolved", "summary": "x", "amount_recovered": amount,
                                       "workers_covered": 1}, today=TODAY)
    assert error.value.fields == {"amount_recovered": "请填写追回金额（元，不能为负）"}


@pytest.mark.parametrize("workers", [0, -2, 1.5, "2^63", 2 ** 63, True, None])
def test_bad_worker_counts_are_refused(workers):
    with pytest.raises(Invalid) as error:
        clean_outcome("wage_arrears", {"result": "resolved", "summary": "x", "amount_recovered": "1",
                                       "workers_covered": workers}, today=TODAY)
    assert "workers_covered" in error.value.fields


def test_no_agreement_advises_arbitration_and_withdrawn_is_recorded_with_defaults():
    outcome = clean_outcome("wage_arrears", {"result": "no_agreement"}, today=TODAY)
    assert outcome == {"result": "no_agreement", "summary": None, "amount_recovered": "0.00", "workers_covered": 1}
    assert "申请仲裁" in describe(outcome)
    withdrawn = clean_outcome("mediation", {"result": "withdrawn"}, today=TODAY)
    assert "amount_recovered" not in withdrawn and "撤回" in describe(withdrawn)
