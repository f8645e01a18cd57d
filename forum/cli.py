"""Command-line commands, registered by the factory."""

import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from forum.admin import backup as backups
from forum.auth.models import Role, User
from forum.auth.services import create_user
from forum.auth.sso import services as sso
from forum.bench.scales import SCALES
from forum.bench.seed import NotEmpty, seed_bench
from forum.buyers import retention
from forum.core import jobs
from forum.core.errors import DomainError
from forum.crm import commands as crm_commands
from forum.demo import seed
from forum.extensions import db
from forum.feedback.attachments import sweep
from forum.fixes.escalations import escalate_overdue
from forum.fixes.history import verify_all
from forum.notify import digests
from forum.notify.delivery import run
from forum.search import rebuild


@contextmanager
def _once(job: str):
    """Run the body unless another machine runs the same job now (then say so, exit 0)."""
    try:
        with jobs.single_run(job):
            yield
    except jobs.JobBusy as busy:
        click.echo(f"Not run: {busy}.")
        sys.exit(0)


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", "display_name", prompt="Display name")
    @click.password_option()
    def create_admin(email: str, display_name: str, password: str) -> None:
        """Create an administrator (there is no default admin)."""

        try:
            user = create_user(email, display_name, Role.ADMIN, None, password=password)
        except DomainError as exc:
            db.session.rollback()
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"Admin {user.email} created.")

    @app.cli.command("break-glass")
    @click.option("--email", required=True, help="The administrator who needs to get in.")
    @click.option(
        "--minutes",
        type=click.IntRange(1, 24 * 60),
        default=None,
        help="How long password sign-in stays open to them (default: BREAK_GLASS_MINUTES).",
    )
    @click.option("--close", is_flag=True, help="Close the window now.")
    def break_glass(email: str, minutes: int | None, close: bool) -> None:
        """Let one admin sign in with their password while single sign-on is required (audited)."""

        try:
            if close:
                user = sso.close_break_glass(email)
            else:
                minutes = minutes or app.config["BREAK_GLASS_MINUTES"]
                user = sso.open_break_glass(email, minutes)
        except DomainError as exc:
            db.session.rollback()
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        db.session.commit()
        if close:
            click.echo(f"Password sign-in is closed again for {user.email}.")
        else:
            click.echo(
                f"{user.email} may sign in with their password until "
                f"{user.break_glass_until:%Y-%m-%d %H:%M} UTC (written to the audit log)."
            )

    @app.cli.command("seed-demo")
    @click.option(
        "--password",
        default="demo-password",
        show_default=True,
        help="Password for every demo user.",
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing when any user exists already.")
    def seed_demo(password: str, if_empty: bool) -> None:
        """Create (idempotently) the demo organisation."""

        if if_empty and db.session.scalar(sa.select(User.id).limit(1)) is not None:
            click.echo("Users exist already: the demo organisation is not seeded again.")
            return

        summary = seed(password)
        db.session.commit()
        for line in summary:
            click.echo(line)
        click.echo(f"Demo password for every demo user: {password}")

    @app.cli.command("seed-bench")
    @click.option(
        "--scale",
        type=click.Choice(list(SCALES)),
        default="S",
        show_default=True,
        help="S: about the demo; M: 100,000 reports; L: ten times M; T: the tests' tiny world.",
    )
    @click.option("--password", default="demo-password", show_default=True)
    def seed_bench_command(scale: str, password: str) -> None:
        """Build the benchmark organisation (reproducible, skewed) in an empty database."""

        try:
            seed_bench(scale, password)
        except NotEmpty as exc:
            db.session.rollback()
            click.echo(f"Error: {exc}.", err=True)
            sys.exit(1)
        click.echo(f"Password for every benchmark user: {password}")

    # An AppGroup, so its commands get an app context however the CLI is entered (a plain
    # click.Group only gets one from the `flask` command, not from app.cli or the test runner).
    history_group = AppGroup("history", help="The fix history (hash-chained).")
    app.cli.add_command(history_group)

    @history_group.command("verify")
    def history_verify() -> None:
        """Recompute every fix's hash chain; exit 1 naming the first broken entry."""

        fixes = entries = 0
        for report in verify_all():
            fixes += 1
            entries += report.entries
            if not report.intact:
                e = report.broken_at
                where = f", history entry #{e.seq} (id {e.id})" if e is not None else ""
                click.echo(f"BROKEN: fix #{report.fix_id}{where}: {report.problem}.", err=True)
                sys.exit(1)
        click.echo(f"OK: {fixes} fix histories, {entries} entries, every chain intact.")

    search_group = AppGroup("search", help="The full-text search index.")
    app.cli.add_command(search_group)

    @search_group.command("reindex")
    def search_reindex() -> None:
        """Index every post, comment and fix again (one transaction; search keeps working)."""

        counts = rebuild(db.session.connection())
        db.session.commit()
        click.echo("Reindexed: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()) + ".")

    @app.cli.command("escalate")
    def escalate() -> None:
        """Escalate overdue fixes (run from cron; running it twice changes nothing more)."""

        with _once("escalate"):
            created = escalate_overdue()
            db.session.commit()
        for e in created:
            level = "team lead" if e.level == 1 else "executive sponsor"
            click.echo(f"Fix #{e.fix_id} escalated to {e.to_user.display_name} ({level}).")
        click.echo(f"{len(created)} escalation{'s' if len(created) != 1 else ''} made.")

    buyers_group = AppGroup("buyers", help="The buyer's voice.")
    app.cli.add_command(buyers_group)

    @buyers_group.command("purge")
    def buyers_purge() -> None:
        """Delete buyer names and addresses past the retention setting (run from cron; the
        answers stay, anonymised; running it twice changes nothing more)."""
        with _once("buyers-purge"):
            done = retention.purge()
            db.session.commit()
        click.echo(
            f"Anonymised {done.surveys} survey contact(s), {done.interviews} interviewed "
            f"buyer(s) and {done.messages} e-mail(s)."
        )

    @app.cli.command("deliver")
    @click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
    @click.option(
        "--batch",
        default=50,
        show_default=True,
        type=click.IntRange(1, 1000),
        help="Messages claimed per round.",
    )
    @click.option(
        "--interval",
        type=click.FloatRange(0.1, 3600),
        default=None,
        help="Seconds between polls when idle (default: DELIVER_INTERVAL_SECONDS).",
    )
    def deliver(once: bool, batch: int, interval: float | None) -> None:
        """Send the outbox (e-mails and webhooks), retrying with backoff; each is sent once."""

        interval = interval or app.config["DELIVER_INTERVAL_SECONDS"]
        if not once:
            click.echo(f"Delivering the outbox every {interval:g}s; stop with Ctrl+C or SIGTERM.")
        total = run(once=once, batch=batch, interval=interval, echo=click.echo)
        click.echo(f"Done: {total}.")

    @app.cli.command("digest")
    @click.option("--daily", "which", flag_value="daily", default=True, help="(default)")
    @click.option("--weekly", "which", flag_value="weekly", help="The leaders' overdue digest.")
    def digest(which: str) -> None:
        """Queue the daily digests, or the weekly executive digest (run from cron)."""

        with _once(f"digest-{which}"):
            queued = digests.send_weekly() if which == "weekly" else digests.send_daily()
            db.session.commit()
        click.echo(
            f"{len(queued)} {which} digest{'s' if len(queued) != 1 else ''} queued; "
            "`flask deliver` sends them."
        )

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    def backup(path: Path) -> None:
        """Copy the database and the evidence files into PATH (a new folder), while the app runs."""

        started = time.monotonic()
        try:
            manifest = backups.backup(path)
        except backups.BackupError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        rows = sum(manifest.rows.values())
        click.echo(
            f"Backup written to {path} in {time.monotonic() - started:.1f}s: "
            f"{manifest.dialect} database at migration {manifest.revision or '(none)'}, "
            f"{rows} rows in {len(manifest.rows)} tables, {len(manifest.uploads)} evidence "
            f"files; {backups.MANIFEST} lists the SHA-256 of every file."
        )
        for name in manifest.missing_uploads:
            click.echo(f"Warning: evidence file {name} was deleted while copying.", err=True)

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore(path: Path) -> None:
        """Restore the backup in PATH into an empty database (checked first), then verify it."""

        try:
            done = backups.restore(path)
        except backups.BackupError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            click.echo("Nothing was changed.", err=True)
            sys.exit(1)
        manifest = done.manifest
        click.echo(
            f"Restored the backup of {manifest.created_at}: "
            f"{sum(manifest.rows.values())} rows, {done.uploads} evidence files."
        )
        broken = [r for r in verify_all() if not r.intact]
        if broken:
            for r in broken:
                click.echo(f"BROKEN: fix #{r.fix_id}: {r.problem}.", err=True)
            sys.exit(1)
        click.echo("History verified: every fix's chain is intact.")
        if manifest.revision != backups.head_revision():
            click.echo(
                f"The backup is at migration {manifest.revision}; run `flask --app app db "
                "upgrade` to bring it to this version's schema."
            )

    app.cli.add_command(crm_commands.import_crm)

    @app.cli.command("sweep-uploads")
    @click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
    def sweep_uploads(dry_run: bool) -> None:
        """Remove evidence files no attachment names and temporary files older than an hour."""

        done = sweep(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for item in done:
            if item.action == "recovered":
                click.echo(f"{'Would move' if dry_run else 'Moved'} {item.name} into place.")
            else:
                click.echo(f"{verb} {item.action} {item.name}.")
        removed = sum(1 for item in done if item.action != "recovered")
        plural = "s" if removed != 1 else ""
        click.echo(f"{removed} file{plural} {'would be removed' if dry_run else 'removed'}.")
