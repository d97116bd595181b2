"""What the report says, in Indonesian (the default, for the head of an agency) or in
English (``[reports] language``): labels, sentences, and how numbers, dates and times
are written. JSON and CSV keep their keys whatever the language (CONTRACT.md
section 4); these words are for the people who read the HTML page, the Markdown and
the terminal table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from syncd.clock.calendar import zone_abbreviation
from syncd.clock.policy import zone as tz

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
NOTHING = "-"


@dataclass(frozen=True)
class Wording:
    language: Language
    months: tuple[str, ...]
    short_months: tuple[str, ...]
    title: str
    period: str
    """``{start}`` and ``{end}``."""
    generated: str
    """``{at}``."""
    at_time: str
    """How a date and a time go together: ``{day}``, ``{time}``, ``{zone}``."""
    source: str
    method: str
    bands: str
    """``{bands}``."""
    reporter_note: str
    estimated: str
    """``{days}``."""
    clocks: Mapping[str, str]
    answered: Mapping[str, str]
    """What a met or late clock means, per kind: followed up, completed, verified."""
    not_answered: Mapping[str, str]
    """What an overdue open clock means, per kind."""
    received: str
    on_time: str
    overdue: str
    late: str
    agency: str
    total: str
    closed: str
    running: str
    within: str
    beyond: str
    others: str
    transferred: str
    cancelled: str
    ratios: str
    ratio: str
    """``{what}``: a ratio's name in a flat header."""
    grade: str
    working_days: str
    median: str
    p90: str
    figures_heading: str
    by_month_heading: str
    on_time_heading: str
    offices_heading: str
    offices_chart: str
    no_overdue: str
    window_heading: str
    window_opened: str
    window_replied: str
    window_lapsed: str
    window_open: str
    overdue_heading: str
    """``{n}``."""
    tracking_id: str
    held_by: str
    due: str
    working_days_late: str
    title_column: str
    confidential: str
    all_followed_up: str
    own_part: str
    platform: str
    table_columns: tuple[str, ...]
    """The terminal table's headers: agency, total, met, late, open past the deadline,
    on-time ratio, grade."""

    def number(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.language == "id" else text

    def percent(self, value: float | None) -> str:
        if value is None:
            return NOTHING
        text = f"{value:.1%}"
        return text.replace(".", ",") if self.language == "id" else text

    def decimal(self, value: float | None) -> str:
        if value is None:
            return NOTHING
        text = f"{value:g}"
        return text.replace(".", ",") if self.language == "id" else text

    def day(self, value: date, *, short: bool = False) -> str:
        months = self.short_months if short else self.months
        return f"{value.day} {months[value.month - 1]} {value.year}"

    def instant(self, value: datetime, zone: str, *, short: bool = False) -> str:
        """``value`` in ``zone``'s local time, with WIB, WITA or WIT."""
        local = value.astimezone(tz(zone))
        clock = f"{local:%H.%M}" if self.language == "id" else f"{local:%H:%M}"
        return self.at_time.format(
            day=self.day(local.date(), short=short),
            time=clock,
            zone=zone_abbreviation(tz(zone), value),
        )

    def month_label(self, year: int, month: int) -> str:
        return f"{self.short_months[month - 1]} {year % 100:02d}"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


INDONESIAN = Wording(
    language="id",
    months=_words(
        "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
    ),
    short_months=_words("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des"),
    title="Laporan Kepatuhan Waktu Tanggapan Pengaduan",
    period="Periode {start} s.d. {end}",
    generated="Disusun pada {at}",
    at_time="{day} pukul {time} {zone}",
    source="Sumber data: salinan pengaduan SP4N-LAPOR! yang dihimpun oleh syncd.",
    method=(
        "Batas waktu dihitung dalam hari kerja (Senin sampai Jumat, di luar hari libur "
        "nasional dan cuti bersama). Setiap tahap dihitung menurut tanggal mulainya, "
        "dalam waktu setempat instansi; keadaannya sebagaimana pada saat laporan disusun."
    ),
    bands=(
        "Nilai 1 sampai 5 ditetapkan dari rasio tepat waktu dengan ambang {bands} untuk "
        "nilai 5 sampai 2. Ambang ini ketentuan setempat, bukan peraturan."
    ),
    reporter_note=(
        "Masa tanggapan pelapor (10 hari kerja setelah setiap tindak lanjut) adalah "
        "waktu bagi pelapor, bukan bagi instansi: tidak dihitung dalam angka "
        "keterlambatan, rasio, maupun nilai instansi, dan hanya disajikan sebagai informasi."
    ),
    estimated="Tanggal hari libur berikut masih berupa perkiraan: {days}.",
    clocks={
        "verification": "Verifikasi",
        "followup": "Tindak lanjut",
        "completion": "Penyelesaian",
    },
    answered={
        "verification": "Diverifikasi",
        "followup": "Ditindaklanjuti",
        "completion": "Diselesaikan",
    },
    not_answered={
        "verification": "belum diverifikasi",
        "followup": "belum ditindaklanjuti",
        "completion": "belum diselesaikan",
    },
    received="Diterima",
    on_time="Tepat waktu",
    overdue="Melewati batas waktu",
    late="Terlambat",
    agency="Instansi",
    total="Jumlah",
    closed="Selesai",
    running="Masih berjalan",
    within="Dalam batas waktu",
    beyond="Melewati batas waktu",
    others="Lainnya",
    transferred="Dialihkan",
    cancelled="Dibatalkan",
    ratios="Rasio",
    ratio="Rasio {what}",
    grade="Nilai",
    working_days="Hari kerja",
    median="Median",
    p90="Persentil 90",
    figures_heading="Rincian per instansi",
    by_month_heading="Tindak lanjut per bulan",
    on_time_heading="Rasio tepat waktu per bulan",
    offices_heading="Melewati batas waktu per instansi",
    offices_chart="Pengaduan yang belum ditangani dan telah melewati batas waktu, per instansi",
    no_overdue="Tidak ada pengaduan yang melewati batas waktu.",
    window_heading="Masa tanggapan pelapor (informasi, tidak dinilai)",
    window_opened="Dimulai",
    window_replied="Dibalas pelapor",
    window_lapsed="Berakhir tanpa balasan",
    window_open="Masih berjalan",
    overdue_heading="Belum ditindaklanjuti dan melewati batas waktu ({n})",
    tracking_id="Nomor pelacakan",
    held_by="Ditangani oleh",
    due="Batas waktu",
    working_days_late="Terlambat (hari kerja)",
    title_column="Judul",
    confidential="(rahasia)",
    all_followed_up="Semua pengaduan yang jatuh tempo dalam periode ini telah ditindaklanjuti.",
    own_part="(ditangani langsung)",
    platform="(platform, sebelum disposisi)",
    table_columns=(
        "instansi",
        "jumlah",
        "tepat\nwaktu",
        "terlambat",
        "lewat\nbatas",
        "% tepat\nwaktu",
        "nilai",
    ),
)

ENGLISH = Wording(
    language="en",
    months=_words(
        "January February March April May June July August September October November December"
    ),
    short_months=_words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
    title="Complaint Response Time Compliance Report",
    period="Period {start} to {end}",
    generated="Generated {at}",
    at_time="{day}, {time} {zone}",
    source="SP4N-LAPOR! complaints as mirrored by syncd.",
    method=(
        "Deadlines count working days (Monday to Friday, without national holidays and "
        "cuti bersama). Each clock counts by the date it started, in the agency's local "
        "time, and as it stands when the report was generated."
    ),
    bands=(
        "The grade (1 to 5) comes from the on-time ratio by the floors {bands} for "
        "grades 5 to 2. These floors are a local default, not a regulation."
    ),
    reporter_note=(
        "The reporter's window (10 working days after each followup) is the citizen's "
        "time, not the agency's: it is in no overdue figure, ratio or grade of the "
        "agency, and is shown for information only."
    ),
    estimated="These holidays' dates are still estimates: {days}.",
    clocks={"verification": "Verification", "followup": "Followup", "completion": "Completion"},
    answered={"verification": "Verified", "followup": "Followed up", "completion": "Completed"},
    not_answered={
        "verification": "not verified",
        "followup": "not followed up",
        "completion": "not completed",
    },
    received="Received",
    on_time="On time",
    overdue="Overdue",
    late="Late",
    agency="Agency",
    total="Total",
    closed="Closed",
    running="Running",
    within="On time",
    beyond="Overdue",
    others="Other",
    transferred="Transferred",
    cancelled="Cancelled",
    ratios="Ratio",
    ratio="Share {what}",
    grade="Grade",
    working_days="Working days",
    median="Median",
    p90="90th percentile",
    figures_heading="Figures by agency",
    by_month_heading="Followups by month",
    on_time_heading="On time, by month",
    offices_heading="Overdue by agency",
    offices_chart="Complaints still open past their deadline, by agency",
    no_overdue="No complaint is overdue.",
    window_heading="The reporter's window (for information, not graded)",
    window_opened="Opened",
    window_replied="Reporter replied",
    window_lapsed="Ended without a reply",
    window_open="Running",
    overdue_heading="Not followed up, past the deadline ({n})",
    tracking_id="Tracking id",
    held_by="Held by",
    due="Due",
    working_days_late="Working days late",
    title_column="Title",
    confidential="(confidential)",
    all_followed_up="Every complaint due in this period was followed up.",
    own_part="(own)",
    platform="(platform, before disposition)",
    table_columns=("agency", "total", "on\ntime", "late", "over-\ndue", "% on\ntime", "grade"),
)


def wording(language: str) -> Wording:
    return ENGLISH if language == "en" else INDONESIAN
