"""manage.py vector_order ITEMS_JSON QUERY_JSON: inserts the items ([{name, embedding}])
through the ORM, orders them by <-> to the query through the ORM, and prints JSON: the
names in that order, the nearest item's embedding and the plan of the query (LIMIT 2)
with sequential scans off."""
import json

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from items.models import Item
from items.vector import L2Distance


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("items")
        parser.add_argument("query")

    def handle(self, *args, **options):
        query = json.loads(options["query"])
        Item.objects.bulk_create(Item(**i) for i in json.loads(options["items"]))
        ordered = list(Item.objects.order_by(L2Distance("embedding", query)))
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL enable_seqscan = off")
            plan = Item.objects.order_by(L2Distance("embedding", query))[:2].explain()
        self.stdout.write(json.dumps({"names": [i.name for i in ordered], "nearest": ordered[0].embedding,
                                      "plan": plan}))
