"""Labels of the web pages in Indonesian (the default) and English."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("id", "en")
DEFAULT = "id"

_LABELS: dict[str, tuple[str, str]] = {
    "app": ("Sinkron Marketplace", "Marketplace Sync"),
    "grid": ("Produk", "Products"),
    "shops": ("Toko", "Shops"),
    "runs": ("Sinkronisasi", "Sync runs"),
    "pushes": ("Pembaruan gagal", "Failed pushes"),
    "logout": ("Keluar", "Log out"),
    "login": ("Masuk", "Log in"),
    "token": ("Token API", "API token"),
    "login_hint": (
        "Tempel token dari `syncer tokens create`.",
        "Paste a token from `syncer tokens create`.",
    ),
    "bad_token": ("Token tidak dikenal atau sudah dicabut.", "Unknown or revoked token."),
    "search": ("Cari judul atau SKU", "Search title or SKU"),
    "filter": ("Terapkan", "Apply"),
    "reset": ("Atur ulang", "Reset"),
    "all_marketplaces": ("Semua marketplace", "All marketplaces"),
    "all_statuses": ("Semua status", "All statuses"),
    "all_shops": ("Semua toko", "All shops"),
    "business": ("Bisnis", "Business"),
    "sku": ("SKU", "SKU"),
    "product": ("Produk", "Product"),
    "no_sku": ("(tanpa SKU)", "(no SKU)"),
    "not_listed": ("tidak ada", "not listed"),
    "more": ("berikutnya", "next"),
    "first_page": ("halaman pertama", "first page"),
    "nothing": ("Tidak ada yang cocok.", "Nothing matches."),
    "price": ("Harga", "Price"),
    "stock": ("Stok", "Stock"),
    "status": ("Status", "Status"),
    "reason": ("Alasan", "Reason"),
    "marketplace": ("Marketplace", "Marketplace"),
    "shop": ("Toko", "Shop"),
    "title": ("Judul", "Title"),
    "variant": ("Varian", "Variant"),
    "changed": ("Berubah", "Changed"),
    "history": ("Riwayat", "History"),
    "no_history": ("Belum ada perubahan tercatat.", "No changes recorded yet."),
    "field": ("Kolom", "Field"),
    "old": ("Lama", "Old"),
    "new": ("Baru", "New"),
    "source": ("Sumber", "Source"),
    "when": ("Waktu", "When"),
    "feed_only": ("hanya feed", "feed only"),
    "auth": ("Otorisasi", "Authorization"),
    "token_expires": ("Token berakhir", "Token expires"),
    "listings": ("Listing", "Listings"),
    "last_runs": ("Sinkron terakhir", "Last runs"),
    "enabled": ("Aktif", "Enabled"),
    "every": ("Tiap", "Every"),
    "minutes": ("menit", "minutes"),
    "kind": ("Jenis", "Kind"),
    "trigger": ("Pemicu", "Trigger"),
    "state": ("Keadaan", "State"),
    "started": ("Mulai", "Started"),
    "duration": ("Durasi", "Duration"),
    "progress": ("Kemajuan", "Progress"),
    "error": ("Galat", "Error"),
    "live": ("diperbarui otomatis", "updating live"),
    "sync_now": ("Sinkron sekarang", "Sync now"),
    "pushes_missing": (
        "Antrean pembaruan belum tersedia di server ini.",
        "The push queue is not available on this server yet.",
    ),
    "no_pushes": ("Tidak ada pembaruan gagal atau tertunda.", "No failed or pending pushes."),
    "pending": ("Tertunda", "Pending"),
    "summary": ("Ringkasan", "Summary"),
    "status.active": ("aktif", "live"),
    "status.inactive": ("nonaktif", "inactive"),
    "status.out_of_stock": ("stok habis", "out of stock"),
    "status.under_review": ("ditinjau", "under review"),
    "status.rejected": ("ditolak", "rejected"),
    "status.banned": ("diblokir", "banned"),
    "status.draft": ("draf", "draft"),
    "status.deleted": ("dihapus", "deleted"),
    "auth.ok": ("baik", "ok"),
    "auth.refreshing": ("memperbarui", "refreshing"),
    "auth.needs_reauth": ("perlu otorisasi ulang", "needs re-authorization"),
    "error_title": ("Ada masalah", "Something is wrong"),
}


def translator(language: str) -> Callable[[str], str]:
    index = LANGUAGES.index(language) if language in LANGUAGES else 0

    def translate(key: str) -> str:
        labels = _LABELS.get(key)
        return labels[index] if labels else key.rpartition(".")[2].replace("_", " ")

    return translate
