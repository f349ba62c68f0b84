"""Invariants under concurrency, with real threads against the moto server: each is held by a
conditional write or a transaction in the store, not by read-then-write."""

from concurrent.futures import ThreadPoolExecutor

from local.demo_data import ENTERPRISES, MARKET
from sheqi import clock
from sheqi.registry import certificate_watch
from sheqi.store.notices import Notice
from sheqi.store.registers import CertificateClaim, Enterprise, Inspector
from tests.helpers import as_function, call

THREADS = 16
E1 = ENTERPRISES[0]["enterprise_id"]


def parallel(fn, n=THREADS):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, range(n)))


def test_a_certificate_number_is_claimed_once(demo):
    def register(i):
        return call(
            "POST",
            f"/agencies/{MARKET}/inspectors",
            "admin-market",
            {
                "inspector_id": f"race-{i}",
                "name": "竞争者",
                "staff_category": "formal",
                "certificate_no": "13072207777",
                "certificate_kind": "enforcement",
                "valid_from": "2026-01-01",
                "valid_until": "2028-12-31",
            },
        )[0]

    statuses = parallel(register)
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    holders = list(Inspector.by_certificate.query("13072207777"))
    assert len(holders) == 1
    assert CertificateClaim.get(CertificateClaim.key("13072207777")).owner == holders[0].inspector_id


def test_concurrent_edits_lose_no_update(demo):
    def edit(i):
        return call("PATCH", f"/enterprises/{E1}", "platform", {"contact_name": f"联系人{i}"})[0]

    statuses = parallel(edit)
    assert set(statuses) <= {200, 409}
    saved = Enterprise.get(E1)
    # Every accepted edit advanced the version exactly once; every refused one changed nothing.
    assert saved.version == 1 + statuses.count(200)


def test_concurrent_reissues_each_revoke_exactly_one_version(demo):
    def reissue(i):
        return call("POST", f"/enterprises/{E1}/code/reissue", "enterprise-1")[0]

    statuses = parallel(reissue)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert Enterprise.get(E1).code_version == 1 + statuses.count(201)


def test_overlapping_watch_runs_create_each_notice_once(demo):
    today = clock.today()

    def watch(_):
        with as_function("certificateWatch"):
            return certificate_watch.run(today)

    results = parallel(watch)
    assert sum(r["notices_created"] for r in results) == 2  # 李秀英 due soon, 赵志强 lapsed
    assert all(r["certificates_due"] == 2 for r in results)
    ids = sorted(n.notice_id for n in Notice.query(f"agency:{MARKET}") if n.kind.startswith("certificate_"))
    assert [i.split(":")[1] for i in ids] == ["market-li", "market-zhao"]
