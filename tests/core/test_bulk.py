"""jiuzhu.core.bulk: a bulk action applies the single-item step to each item and reports
per item, in Chinese, which were done and which refused and why (pure)."""

import pytest

from jiuzhu.core.bulk import MAX_ITEMS, BulkResult, TooMany, check_count, run_each

pytestmark = pytest.mark.core


class Refused(Exception):
    pass


def test_each_item_goes_through_the_step_and_a_refusal_is_reported_not_raised():
    done = []

    def step(n):
        if n % 2:
            raise Refused(f"{n}号不能办理")
        done.append(n)

    result = run_each([1, 2, 3, 4], apply=step, label=lambda n: f"第{n}件", refusals=(Refused,))
    assert done == [2, 4]
    assert result.done == ["第2件", "第4件"]
    assert result.failed == [("第1件", "1号不能办理"), ("第3件", "3号不能办理")]
    assert result.summary("接收") == "已接收2件:第2件、第4件;2件未能接收"


def test_an_error_that_is_not_a_refusal_stops_the_whole_request():
    def step(n):
        raise KeyError(n)

    with pytest.raises(KeyError):
        run_each([1], apply=step, label=str, refusals=(Refused,))


def test_a_reason_that_names_its_item_is_not_prefixed_twice():
    result = BulkResult(failed=[("第1项(AJ1)", "第1项(AJ1)不同意的理由:请填写"),
                                ("第2项(AJ2)", "已形成纪要")])  # fmt: skip
    assert result.failure_lines() == ["第1项(AJ1)不同意的理由:请填写", "第2项(AJ2):已形成纪要"]


def test_ticked_ids_count_once_and_a_request_holds_at_most_the_limit():
    assert check_count([3, 1, 3, 2]) == [3, 1, 2]
    with pytest.raises(TooMany, match=f"最多批量办理{MAX_ITEMS}件转介"):
        check_count(range(MAX_ITEMS + 1), noun="转介")
    assert BulkResult().summary("实施") == "没有可实施的事项"
