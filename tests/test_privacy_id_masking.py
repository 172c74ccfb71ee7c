"""No combination of what staff without `may_view_id` are shown narrows a resident ID number to fewer
than 10,000 candidates (issue 11 §1).

The worker joins through the real form; staff without the right read every answer that names the
worker (application list and detail, member list and detail, help request detail) and the worker's
card (which check-in staff see on the phone). From everything shown — masked IDs (revealed characters
combined across answers), gender, age band, any birth date — the test counts every GB 11643 number
consistent with it, check character included, exactly (by residues of the weighted sum mod 11),
under two priors: the ID was issued anywhere under the province shown, or (the attacker's best
guess) in the very county the worker works in."""
from datetime import date, timedelta

import pytest

from service import clock
from service.privacy.fields import ID_CHECK_CHARS, ID_WEIGHTS, age_band
from tests.conftest import as_worker, login
from tests.factories import help_payload, join_form, make_resident_id, make_staff

COURIER = "石家庄市长安区快递行业工会联合会"
MIN_CANDIDATES = 10_000


def _residues(candidates: list[str], offset: int) -> list[int]:
    counts = [0] * 11
    for text in candidates:
        counts[sum(int(ch) * ID_WEIGHTS[offset + i] for i, ch in enumerate(text)) % 11] += 1
    return counts


def _fits(text: str, visible: dict[int, str], offset: int) -> bool:
    return all(visible.get(offset + i, ch) == ch for i, ch in enumerate(text))


def count_candidates(*, visible: dict[int, str], addresses: list[str], gender: str | None = None,
                     band: str | None = None, birth: date | None = None, today: date) -> int:
    """How many 18-character numbers agree with what was shown (positions 0–17 → characters)."""
    addresses = [a for a in addresses if _fits(a, visible, 0)]
    if birth is not None:
        births = [birth]
    else:
        births = [today - timedelta(days=n) for n in range(16 * 366, 100 * 366)]
        if band is not None:
            births = [b for b in births if age_band(b, today) == band]
    births = [b.strftime("%Y%m%d") for b in births]
    births = [b for b in births if _fits(b, visible, 6)]
    seqs = [f"{n:03d}" for n in range(1000) if _fits(f"{n:03d}", visible, 14)]
    if gender is not None:
        seqs = [s for s in seqs if (int(s[2]) % 2 == 1) == (gender == "男")]
    a, b, s = _residues(addresses, 0), _residues(births, 6), _residues(seqs, 14)
    total = 0
    for ra in range(11):
        for rb in range(11):
            for rs in range(11):
                check = ID_CHECK_CHARS[(ra + rb + rs) % 11]
                if visible.get(17, check) == check:
                    total += a[ra] * b[rb] * s[rs]
    return total


def _walk(value, found: dict):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id_masked", "gender", "age_band", "birth_date") and isinstance(item, str):
                found.setdefault(key, set()).add(item)
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


def shown_to_staff(client, feds, number: str) -> dict:
    """Everything about the worker that staff without may_view_id (and check-in staff) get to see."""
    as_worker(client, "o-masked")
    application = client.post("/api/join/applications", json=join_form(id_number=number)).get_json()["id"]
    assert client.post("/api/requests", json=help_payload()).status_code == 201
    chair = make_staff(feds[COURIER], role="chair", username="mask-chair")
    login(client, chair)
    answers = [client.get("/api/applications?view=all").get_json(),
               client.get(f"/api/applications/{application}").get_json()]
    assert client.post(f"/api/applications/{application}/approve", json={}).status_code == 200
    members = client.get("/api/members").get_json()
    answers += [members, client.get(f"/api/members/{members['items'][0]['id']}").get_json()]
    inbox = client.get("/api/inbox").get_json()
    assert len(inbox["items"]) == 1 and len(members["items"]) == 1
    answers += [inbox] + [client.get(f"/api/inbox/requests/{row['id']}").get_json() for row in inbox["items"]]
    assert client.get(f"/api/applications/{application}/id-number").status_code == 403  # not this chair
    as_worker(client, "o-masked")
    answers.append(client.get("/api/card").get_json())
    text = str(answers)
    assert number not in text and number[6:14] not in text
    found: dict = {}
    _walk(answers, found)
    assert len(found["id_masked"]) == 1  # every answer shows the same few characters
    return found


def _combined(masks: set[str]) -> dict[int, str]:
    visible = {}
    for mask in masks:
        assert len(mask) == 18
        for i, ch in enumerate(mask):
            if ch != "*":
                visible[i] = ch
    return visible


@pytest.mark.parametrize("birth, seq, region", [("19900307", "123", "130102"), ("20080101", "004", "130108"),
                                               ("19620715", "999", "131102")])
def test_what_staff_see_leaves_at_least_ten_thousand_candidates(client, feds, birth, seq, region):
    number = make_resident_id(birth=birth, seq=seq, region=region)
    today = clock.today()
    found = shown_to_staff(client, feds, number)
    assert found.get("id_masked") and "birth_date" not in found
    visible = _combined(found["id_masked"])
    gender = next(iter(found.get("gender", {None})))
    band = next(iter(found.get("age_band", {None})))
    assert band == age_band(date(int(birth[:4]), int(birth[4:6]), int(birth[6:])), today)
    counties = _county_codes()
    for prior, addresses in (("province", counties), ("workplace county", ["130102"])):
        candidates = count_candidates(visible=visible, addresses=addresses, gender=gender, band=band, today=today)
        if prior == "province" or region == "130102":
            assert _is_candidate(number, visible, addresses, gender, band, today)
        assert candidates >= MIN_CANDIDATES, (prior, candidates)


def _county_codes() -> list[str]:
    from service.refdata import _regions

    regions, _ = _regions()
    return sorted(code for code, r in regions.items() if r.level == "county" and not r.custom)


def _is_candidate(number, visible, addresses, gender, band, today) -> bool:
    """The real number is among the candidates (the enumeration really covers it)."""
    return count_candidates(visible=visible | {i: ch for i, ch in enumerate(number)}, addresses=addresses,
                            gender=gender, band=band, today=today) == 1


def test_the_old_display_left_a_handful_of_candidates():
    """3 leading + 4 trailing characters and the birth date (what staff saw before) leave fewer than 20
    numbers: the enumeration is sharp enough to catch a leak."""
    number = make_resident_id(birth="19900307", seq="123", region="130102")
    old_mask = number[:3] + "*" * 11 + number[-4:]
    candidates = count_candidates(visible=_combined({old_mask}), addresses=_county_codes(), gender="男",
                                  birth=date(1990, 3, 7), today=clock.today())
    assert 1 <= candidates < 20
