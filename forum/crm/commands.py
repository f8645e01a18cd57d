"""``flask --app app import-crm accounts.csv [opportunities.csv] [--dry-run]``."""

from contextlib import nullcontext
from pathlib import Path

import click
from flask.cli import with_appcontext

from forum.core.errors import DomainError
from forum.crm.results import ImportError_, report_writer
from forum.crm.services import Importer
from forum.extensions import db


def count_lines(path: Path) -> int:
    """About how many rows ``path`` holds (its line breaks), read in 1 MB chunks."""
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines, 1)


def run(importer: Importer, accounts, opportunities, *, names, on_batch=None) -> None:
    """Drive ``importer``: commit after each batch, or roll everything back for a dry run."""
    try:
        for progress in importer.batches(accounts, opportunities, names=names):
            if not importer.dry_run:
                db.session.commit()
            if on_batch is not None:
                on_batch(progress)
        if importer.dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@click.command("import-crm")
@click.argument("accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument(
    "opportunities", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Check and count everything; store nothing.")
@click.option("--currency", default=None, help="Currency of amounts that name none.")
@click.option("--day-first", is_flag=True, help="Read 03/04/2024 as 3 April (default: March 4).")
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rejected-rows report (file, row, column, reason) to this CSV file.",
)
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def import_crm(accounts, opportunities, dry_run, currency, day_first, rejected, batch_size):
    """Import accounts and (optionally) opportunities from a CRM export.

    Salesforce and HubSpot report exports and the generic layout are recognised by their
    headers (README "CRM import"). Re-running changes nothing; changed rows update in place.
    """
    report = rejected.open("w", newline="", encoding="utf-8") if rejected else None
    try:
        try:
            importer = Importer(
                dry_run=dry_run,
                default_currency=currency,
                day_first=day_first,
                batch_size=batch_size,
                on_reject=report_writer(report) if report else None,
            )
        except DomainError as exc:
            raise click.UsageError(exc.message) from None
        total = count_lines(accounts) + (count_lines(opportunities) if opportunities else 0)
        with (
            accounts.open("rb") as acc,
            opportunities.open("rb") if opportunities else nullcontext() as opp,
            click.progressbar(length=total, label="Importing") as bar,
        ):
            try:
                run(
                    importer,
                    acc,
                    opp,
                    names=(accounts.name, opportunities.name if opportunities else ""),
                    on_batch=lambda p: bar.update(p.rows),
                )
            except ImportError_ as exc:
                raise click.ClickException(exc.message) from None
    finally:
        if report:
            report.close()
    echo_summary(importer)


def echo_summary(importer: Importer) -> None:
    summary = importer.summary
    click.echo(
        "Dry run: nothing was stored." if importer.dry_run else f"Import {importer.run_id} done."
    )
    for kind, tally in summary.files.items():
        fmt = summary.formats.get(kind, "")
        click.echo(
            f"{kind} ({fmt}): {tally.created} created, {tally.updated} updated, "
            f"{tally.unchanged} unchanged, {tally.rejected} rejected"
        )
    for note in summary.notes[:20]:
        click.echo(f"  {note}")
    updated = sum(t.updated for t in summary.files.values())
    if updated > 20:
        click.echo(f"  … and {updated - 20:,} more updated rows")
    for kind, names in summary.unmapped.items():
        label = "competitors" if kind == "competitor" else "loss reasons"
        click.echo(
            f"Unknown {label} (map them on the admin page, then re-run): "
            + ", ".join(sorted(names))
        )
