import pytest

from shared.pagination import PageParams, pagination_object


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [
        (None, None, (1, 50)),
        ("2", "10", (2, 10)),
        ("abc", "x", (1, 50)),
        ("0", "0", (1, 50)),
        ("-3", "-1", (1, 50)),
        ("1", "1000", (1, 100)),
        ("1", "100", (1, 100)),
        ("1.5", "20", (1, 20)),
        ("99999999999999999999", "5", (10**12, 5)),
    ],
)
def test_parse_is_lenient_and_clamped(page, per_page, expected):
    params = PageParams.parse(page, per_page)
    assert (params.page, params.per_page) == expected


def test_pagination_object_middle_page():
    assert pagination_object(PageParams(page=2, per_page=50), 120) == {
        "page": 2,
        "per_page": 50,
        "total": 120,
        "pages": 3,
        "has_next": True,
        "has_prev": True,
        "next_page": 3,
        "prev_page": 1,
    }


def test_pagination_object_empty_has_zero_pages():
    body = pagination_object(PageParams(), 0)
    assert body["pages"] == 0
    assert body["has_next"] is False and body["next_page"] is None
    assert body["has_prev"] is False and body["prev_page"] is None


def test_page_beyond_last_is_not_an_error():
    body = pagination_object(PageParams(page=9, per_page=10), 15)
    assert body["pages"] == 2 and body["has_next"] is False and body["prev_page"] == 8
