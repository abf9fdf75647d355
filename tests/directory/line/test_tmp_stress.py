from hypothesis import given, settings, strategies as st
from sqlalchemy import text

two = lambda lo, hi: st.integers(lo, hi).map(lambda n: f"{n:02d}")
cand = st.tuples(st.sampled_from(["", "", "17", "18", "19", "20", "21", "1"]), two(0, 99), two(0, 13), st.one_of(two(0, 32), two(58, 93)),
                 st.sampled_from(["", "-", "+", " ", "\u2013", "\u00a0", "--", "/"]), st.integers(0, 9999).map(lambda n: f"{n:04d}"),
                 st.sampled_from(["", "", "x", "5", " 1"]), st.sampled_from(["", "a", "7"])).map(lambda t: t[6][:0] + t[7] + "".join(t[:6]) + t[6])

@settings(max_examples=20000, deadline=None)
@given(st.lists(cand, min_size=1, max_size=3).map(" ".join))
def test_stress(owner_engine, value):
    from avhopp.directory.line.privacy import personal_identity_numbers_in
    with owner_engine.connect() as c:
        db = c.execute(text("SELECT contains_personal_identity_number(:v)"), {"v": value}).scalar_one()
    assert bool(personal_identity_numbers_in(value)) == db, value
