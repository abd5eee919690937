"""``python manage.py send_reminders``: email each unit what it owes (for cron)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.reminders import (
    ALREADY_SENT,
    DUE,
    NO_RECIPIENTS,
    NOTHING_DUE,
    SENT,
    reminder_quarter,
    reminders_preview,
    reminders_send,
)
from wardwork.models import Ward
from wardwork.quarters import Quarter

STATUS_WORDS = {
    SENT: "sent",
    DUE: "would send",
    ALREADY_SENT: "already sent",
    NO_RECIPIENTS: "no recipients",
    NOTHING_DUE: "nothing due",
}


class Command(BaseCommand):
    help = (
        "Email each unit of each ward the progress reports it still owes for a quarter and "
        "its overdue tasks, one message per unit, and print one line per unit (ward, quarter, "
        "unit, status, recipients, missing reports, overdue tasks) and a summary. Safe to run "
        "several times a day: a unit is reminded at most once a day per quarter; later runs "
        "print 'already sent'. Without --quarter, each ward's units are reminded of the "
        "quarter they are reporting on: during the first month of a quarter the previous "
        "quarter (unless it is finalised), otherwise the current quarter. A finalised "
        "quarter is never reminded of (its reports can no longer change)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarter",
            help="The quarter to remind of, as 2021-Q1 or I/2021 (default: see above).",
        )
        parser.add_argument("--ward", help="Only this ward: its id or its name.")
        parser.add_argument(
            "--date",
            help="Act as if today were this day, YYYY-MM-DD (default: today, Asia/Ho_Chi_Minh).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; send and record nothing.",
        )

    def handle(self, *args, quarter=None, ward=None, date=None, dry_run=False, **options):
        today = _parse_date(date) if date else timezone.localdate()
        asked = _parse_quarter(quarter) if quarter else None
        if asked is not None and asked > Quarter.containing(today):
            raise CommandError(
                f"{asked.short_label} has not begun on {today:%d/%m/%Y}: nothing is owed yet."
            )
        wards = [_find_ward(ward)] if ward else list(Ward.objects.order_by("name"))
        counts = dict.fromkeys(STATUS_WORDS, 0)
        refused = 0
        for one in wards:
            period = asked or reminder_quarter(ward=one, today=today)
            try:
                if dry_run:
                    results = reminders_preview(ward=one, quarter=period, today=today)
                else:
                    results = reminders_send(ward=one, quarter=period, today=today)
            except ValidationError as error:
                refused += 1
                self.stdout.write(f"{one.name} | {period.short_label} | {' '.join(error.messages)}")
                continue
            for result in results:
                counts[result.status] += 1
                self.stdout.write(
                    " | ".join(
                        [
                            one.name,
                            period.short_label,
                            result.organization.name,
                            STATUS_WORDS[result.status],
                            ", ".join(result.recipients) or "-",
                            f"missing {result.missing}",
                            f"overdue {result.overdue}",
                        ]
                    )
                )
        summary = (
            f"{counts[DUE]} would be sent (dry run: nothing sent or recorded)"
            if dry_run
            else f"{counts[SENT]} sent"
        )
        summary += (
            f", {counts[ALREADY_SENT]} already sent today, "
            f"{counts[NO_RECIPIENTS]} without recipients, {counts[NOTHING_DUE]} with nothing "
            f"due; {len(wards)} ward(s)"
        )
        if refused:
            summary += f", {refused} not reminded (see above)"
        self.stdout.write(self.style.SUCCESS(f"Reminders: {summary}."))


def _parse_date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 - a day
        except ValueError:
            continue
    raise CommandError(f"Not a date: {text!r}. Write it as YYYY-MM-DD, e.g. 2021-04-10.")


def _parse_quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError:
        raise CommandError(f"Not a quarter: {text!r}. Write it as 2021-Q1 or I/2021.") from None


def _find_ward(text: str) -> Ward:
    text = text.strip()
    if text.isdigit():
        found = Ward.objects.filter(pk=int(text)).first()
    else:
        found = Ward.objects.filter(name__iexact=text).first()
        if found is None:
            matches = list(Ward.objects.search(text)[:2])
            found = matches[0] if len(matches) == 1 else None
    if found is None:
        names = ", ".join(f"{w.pk}: {w.name}" for w in Ward.objects.order_by("name"))
        raise CommandError(f"No ward {text!r}. Wards: {names or 'none'}.")
    return found
