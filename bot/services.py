# The services a front end needs, passed in as one bundle by the wiring.
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.abuse.service import AbuseDeps
from bot.clock import Clock
from bot.declarations.service import DeclarationDeps
from bot.directory import Directory, DirectoryFile
from bot.files import FileFetcher
from bot.policy.service import PolicyDeps
from bot.ports import UnitOfWork
from bot.posts.deps import PostDeps
from bot.posts.screening import DEFAULT_POLITICAL_TERMS
from bot.reports.service import ReportDeps
from bot.training.service import TrainingDeps
from bot.working_time import WorkingHours


@dataclass(frozen=True)
class Services:
    """Dependencies of every listener: the directory (re-read when its file changes), a fresh
    unit of work per use case, the clock, working hours, and a way to wake the outbox."""

    directory_file: DirectoryFile
    uow: Callable[[], UnitOfWork]
    clock: Clock
    hours: WorkingHours
    ack_hours: float
    wake_outbox: Callable[[], None]
    political_terms: tuple[str, ...] = DEFAULT_POLITICAL_TERMS
    mail_on: bool = False  # whether e-mail (Graph or SMTP) is configured
    abuse_escalate_days: int = 7  # days with a platform before the Head of Comms is nudged
    fetchers: Mapping[str, FileFetcher] = field(default_factory=dict)  # by channel
    fetch_files: Callable[[], None] = lambda: None  # fetch waiting files now, after the answer
    network_remind_days: int = 2  # working days a network request waits before a reminder

    @property
    def directory(self) -> Directory:
        return self.directory_file.current()

    def today(self) -> date:
        """Today in the Trust's time zone."""
        return self.clock.now().astimezone(self.hours.zone).date()

    def report_deps(self) -> ReportDeps:
        return ReportDeps(self.directory, self.clock, self.hours, self.ack_hours)

    def declaration_deps(self) -> DeclarationDeps:
        return DeclarationDeps(self.directory, self.clock, self.hours, self.mail_on)

    def training_deps(self) -> TrainingDeps:
        return TrainingDeps(self.directory, self.clock, self.hours)

    def post_deps(self) -> PostDeps:
        return PostDeps(self.directory, self.clock, self.hours.zone, self.political_terms)

    def policy_deps(self) -> PolicyDeps:
        return PolicyDeps(self.directory, self.clock, self.hours)

    def abuse_deps(self) -> AbuseDeps:
        return AbuseDeps(self.directory, self.clock, self.hours, self.abuse_escalate_days)
