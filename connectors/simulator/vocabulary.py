"""Indonesian names the simulator builds its complaints from.

The institutions follow a regency's shape: the regency government, its offices (OPD)
under it, the province above, and national ministries and agencies beside them.
"""

from __future__ import annotations

NATIONAL_ADMIN = (1, "Admin Nasional SP4N-LAPOR!")

# (id, name, parent_id)
INSTITUTIONS: tuple[tuple[int, str, int | None], ...] = (
    (*NATIONAL_ADMIN, None),
    (61, "Pemerintah Provinsi Kalimantan Barat", None),
    (4251, "Pemerintah Kabupaten Sekadau", 61),
    (4252, "Dinas Kesehatan Kabupaten Sekadau", 4251),
    (4253, "Dinas Pendidikan dan Kebudayaan Kabupaten Sekadau", 4251),
    (4254, "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Sekadau", 4251),
    (4255, "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sekadau", 4251),
    (4256, "Dinas Sosial Kabupaten Sekadau", 4251),
    (4257, "Dinas Perhubungan Kabupaten Sekadau", 4251),
    (4258, "Dinas Lingkungan Hidup Kabupaten Sekadau", 4251),
    (4259, "RSUD Sekadau", 4252),
    (4260, "Badan Kepegawaian dan Pengembangan SDM Kabupaten Sekadau", 4251),
    (73, "Pemerintah Provinsi Sulawesi Selatan", None),
    (7371, "Pemerintah Kota Makassar", 73),
    (94, "Pemerintah Provinsi Papua", None),
    (9471, "Pemerintah Kota Jayapura", 94),
    (101, "Kementerian Pendidikan Dasar dan Menengah", None),
    (102, "Kementerian Kesehatan", None),
    (103, "Kementerian Pekerjaan Umum", None),
    (104, "Kementerian Dalam Negeri", None),
    (105, "BPJS Kesehatan", None),
    (106, "PT PLN (Persero)", None),
    (107, "Kepolisian Negara Republik Indonesia", None),
)

# Offices a complaint is routed to first, weighted towards the regency's own.
ROUTABLE: tuple[int, ...] = (
    4251, 4252, 4252, 4253, 4253, 4254, 4254, 4254, 4255, 4255, 4256, 4257, 4258, 4259,
    4260, 7371, 9471, 101, 102, 103, 104, 105, 106, 107,
)  # fmt: skip

# (category, [(title, content sentence)])
TOPICS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Infrastruktur",
        (
            ("Jalan rusak di Desa {place}", "Jalan utama berlubang dan membahayakan pengendara."),
            ("Jembatan {place} hampir putus", "Jembatan kayu sudah lapuk sejak musim hujan."),
            ("Drainase tersumbat di {place}", "Air menggenang setiap hujan deras."),
        ),
    ),
    (
        "Kesehatan",
        (
            ("Antrean panjang di Puskesmas {place}", "Pasien menunggu lebih dari empat jam."),
            ("Obat kosong di RSUD", "Resep tidak dapat ditebus karena stok habis."),
            ("Klaim BPJS ditolak", "Peserta aktif tetapi pelayanan ditolak di loket."),
        ),
    ),
    (
        "Pendidikan",
        (
            ("Pungutan liar di SD Negeri {place}", "Orang tua diminta membayar uang bangunan."),
            ("Dana BOS tidak transparan", "Penggunaan dana tidak diumumkan kepada komite."),
            ("Guru honorer belum digaji", "Honor tiga bulan terakhir belum dibayarkan."),
        ),
    ),
    (
        "Kependudukan",
        (
            ("KTP elektronik belum jadi", "Perekaman sudah enam bulan lalu, blangko kosong."),
            ("Akta kelahiran dipersulit", "Petugas meminta biaya tambahan di luar ketentuan."),
        ),
    ),
    (
        "Lingkungan Hidup",
        (
            ("Sampah menumpuk di Pasar {place}", "Sampah tidak diangkut selama dua minggu."),
            ("Limbah pabrik mencemari sungai", "Air sungai berwarna hitam dan berbau."),
        ),
    ),
    (
        "Perhubungan",
        (
            ("Lampu lalu lintas mati di {place}", "Persimpangan rawan kecelakaan pada malam hari."),
            ("Pungli di terminal {place}", "Sopir angkutan diminta setoran tanpa karcis."),
        ),
    ),
    (
        "Sosial",
        (
            ("Bansos tidak tepat sasaran", "Warga mampu menerima bantuan, warga miskin tidak."),
            ("PKH belum cair", "Bantuan tahap ini belum diterima keluarga penerima."),
        ),
    ),
    (
        "Kepegawaian",
        (("Pegawai sering tidak masuk kantor", "Kantor kelurahan kosong pada jam kerja."),),
    ),
    (
        "Energi dan Listrik",
        (("Listrik padam berulang di {place}", "Pemadaman terjadi hampir setiap malam."),),
    ),
)

PLACES: tuple[str, ...] = (
    "Sungai Ayak", "Nanga Taman", "Belitang", "Rawak", "Sekadau Hilir", "Nanga Mahap",
    "Sebetung", "Tapang Pulau", "Mungguk", "Seberang", "Panaikan", "Merbang",
)  # fmt: skip

CLASSIFICATIONS: tuple[str, ...] = (
    "Pengaduan", "Pengaduan", "Pengaduan", "Pengaduan", "Aspirasi", "Permintaan Informasi",
)  # fmt: skip

STATUS_NAMES: dict[int, str] = {
    0: "Belum Terverifikasi",
    1: "Terverifikasi",
    2: "Terdisposisi",
    3: "Ditindaklanjuti",
    4: "Selesai",
    5: "Diarsipkan",
    6: "Ditolak",
    7: "Tertunda",
}

AGENCY_REPLIES: tuple[str, ...] = (
    "Terima kasih atas laporannya. Tim kami sudah menindaklanjuti ke lokasi.",
    "Laporan sedang kami koordinasikan dengan bidang terkait.",
    "Perbaikan dijadwalkan pada anggaran perubahan tahun ini.",
    "Petugas telah diberi teguran dan pelayanan sudah normal kembali.",
)

REPORTER_REPLIES: tuple[str, ...] = (
    "Terima kasih, sudah ada perbaikan.",
    "Sampai hari ini belum ada perubahan di lapangan.",
    "Mohon ditindaklanjuti lebih cepat.",
)

# The status log's texts, by who writes them: the national admin (or the platform
# itself, under the admin's name), then the agency holding the report.
VERIFY_NOTE = "Laporan telah diverifikasi."
DISPOSITION_NOTE = "Laporan didisposisikan."
REJECT_NOTE = "Laporan ditolak: tidak memenuhi syarat."
ARCHIVE_NOTE = "Laporan diarsipkan."
RESUME_NOTE = "Laporan dilanjutkan."
SENT_BACK_NOTE = "Didisposisikan kembali: pelapor menanggapi tindak lanjut."
PLATFORM_CLOSING_NOTE = (
    "Laporan selesai: tidak ada tanggapan pelapor dalam 10 hari kerja setelah tindak lanjut."
)
TRANSFER_NOTE = "Bukan Wewenang: laporan diteruskan ke instansi yang berwenang."
POSTPONE_NOTE = "Laporan ditunda: menunggu kelengkapan data dari pelapor."
FOLLOWED_UP_NOTE = "Laporan telah ditindaklanjuti."
