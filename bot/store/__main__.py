"""`python -m bot.store migrate | seed | downgrade [REVISION] | demo`.

migrate    alembic upgrade head on DATABASE_URL (default var/assurance.db)
seed       migrate, then (re)create the demo accounts C1001..C1005 (idempotent)
downgrade  alembic downgrade (default: base, an empty database)
demo       list the demo accounts and their orders, incidents, filings, claims
"""
from __future__ import annotations

import argparse
import json
import sys

from .engine import database_url, make_url_safe
from .errors import StoreError
from .seed import DEMO_CUSTOMERS
from .seed import seed as seed_demo
from .store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.store", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="alembic upgrade head")
    sub.add_parser("seed", help="(re)create the demo accounts")
    down = sub.add_parser("downgrade", help="alembic downgrade (default base)")
    down.add_argument("revision", nargs="?", default="base")
    sub.add_parser("demo", help="show the demo accounts")
    args = parser.parse_args(argv)

    url = database_url()
    store = Store(url)
    where = make_url_safe(url)
    try:
        if args.command == "migrate":
            store.migrate()
            print(f"migrated {where} to head")
        elif args.command == "downgrade":
            store.downgrade(args.revision)
            print(f"downgraded {where} to {args.revision}")
        elif args.command == "seed":
            store.migrate()
            with store._db.write() as session:
                counts = seed_demo(session)
            print(f"seeded demo accounts into {where}: {json.dumps(counts)}")
        else:
            for cid in DEMO_CUSTOMERS:
                customer = store.customer(cid)
                if customer is None:
                    print(f"{cid}: not seeded (run `python -m bot.store seed`)")
                    continue
                print(f"{cid} {customer.name} ({customer.tier}, {customer.currency})")
                for o in store.orders(cid):
                    print(f"  order {o.order_id} {o.resource_id} {o.product} {o.billing} "
                          f"{o.purchased_at:%Y-%m-%d %H:%M} paid {o.amount_paid} {o.resource_state} "
                          f"invoice={o.invoice}")
                for i in store.incidents(cid):
                    print(f"  incident {i.incident_id} {i.scenario} cause={i.cause} "
                          f"{i.started_at:%Y-%m-%d %H:%M} → {i.rectified_at or 'open'}")
                for f in store.filings(cid):
                    print(f"  filing {f.filing_id} {f.status} host={f.host_order_id} ({f.host_subscription})")
                for c in store.claims(cid):
                    print(f"  claim {c.reference} {c.kind} {c.status}")
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
