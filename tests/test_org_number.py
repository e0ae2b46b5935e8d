"""Norwegian organisation numbers: modulus-11 with weights 3 2 7 6 5 4 3 2."""

import pytest

from api.employers.org_number import check_digit, is_valid_org_number, org_number_problem


@pytest.mark.parametrize("number", ["974760673", "923609016", "986105174", "000000000"])
def test_real_organisation_numbers_are_valid(number):
    assert is_valid_org_number(number)


@pytest.mark.parametrize(
    "number, why",
    [
        ("974760674", "check digit"),
        ("97476067", "9 digits"),
        ("9747606733", "9 digits"),
        ("974 760 673", "9 digits"),
        ("97476067a", "9 digits"),
        ("\uff19\uff17\uff14\uff17\uff16\uff10\uff16\uff17\uff13", "9 digits"),  # full-width
    ],
)
def test_malformed_numbers_say_what_is_wrong(number, why):
    assert why in (org_number_problem(number) or "")


def test_remainder_one_has_no_check_digit():
    # 3*1 + 2*0 + ... chosen so that the weighted sum leaves remainder 1
    candidates = [f"{n:08d}" for n in range(10_000) if check_digit(f"{n:08d}") is None]
    assert candidates
    assert all(not is_valid_org_number(c + d) for c in candidates[:20] for d in "0123456789")
