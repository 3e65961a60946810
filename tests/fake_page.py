"""A stand-in for the notebook's StudyReport that records what a study hands the page (duck-typed), for the
studies' tests: no notebook, no display."""


class FakePage:
    """Records every call a study makes on the page; ``claims`` keeps the family the study judged once."""
    def __init__(self):
        self.calls, self.claim_rows, self.family, self.runtime = [], [], None, {}

    def __getattr__(self, name):
        return lambda *a, **k: self.calls.append((name, a, k))

    def claims(self, family):
        # The page renders the family the study judged once; it never judges.
        assert self.family is None, "a study hands the page its claims in one call"
        self.family, self.claim_rows = family, family.rows
        self.calls += [("say", ("\n".join(family.notes),), {}), ("finding", (family.finding,), {})]

    def said(self, kind: str) -> str:
        return "\n".join(str(a[0]) for k, a, _ in self.calls if k == kind)
