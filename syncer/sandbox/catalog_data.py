"""Word lists for the fake catalog: Indonesian UMKM product families, brands, variant tiers.

Plain data only; ``catalog.py`` turns it into products. Names, prices (whole rupiah) and weights
(grams) are in the ranges a small Indonesian seller would really list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tier:
    """One variant dimension (e.g. Warna) and the options a product may pick from it."""

    name: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Family:
    """A product family: how its names, prices, weights and variants look."""

    category: str
    code: str  # three letters that start every seller SKU of the family
    bases: tuple[str, ...]
    qualifiers: tuple[str, ...]
    sizes: tuple[str, ...]  # appended to names of products sold without variants
    brands: tuple[str, ...]
    price: tuple[int, int]  # rupiah, inclusive range of the base price
    weight: tuple[int, int]  # grams
    tiers: tuple[Tier, ...]  # first tier is used alone; both together for 2-tier products
    descriptions: tuple[str, ...]


_FOOD_NOTE = "Diproduksi UMKM lokal dengan izin PIRT dan sertifikat halal."
_SHIP_NOTE = "Pesanan sebelum jam 15.00 dikirim di hari yang sama."
_CARE_NOTE = "Warna produk dapat sedikit berbeda karena pencahayaan foto."

FAMILIES: tuple[Family, ...] = (
    Family(
        category="Makanan & Minuman > Kopi",
        code="KOP",
        bases=(
            "Kopi Arabika Gayo",
            "Kopi Robusta Lampung",
            "Kopi Toraja Kalosi",
            "Kopi Kintamani Bali",
            "Kopi Flores Bajawa",
            "Kopi Arabika Kerinci",
            "Kopi Robusta Temanggung",
        ),
        qualifiers=("Biji Sangrai", "Bubuk Murni", "Medium Roast", "Dark Roast", "Single Origin"),
        sizes=("100 gr", "250 gr", "500 gr", "1 kg"),
        brands=(
            "Omah Kopi Temanggung",
            "Kopi Nusantara Jaya",
            "Rumah Sangrai Gayo",
            "Kopi Pak Darmo",
        ),
        price=(35_000, 350_000),
        weight=(100, 1_000),
        tiers=(
            Tier("Berat", ("100 gr", "250 gr", "500 gr", "1 kg")),
            Tier("Gilingan", ("Biji Utuh", "Bubuk Kasar", "Bubuk Sedang", "Bubuk Halus")),
        ),
        descriptions=(
            f"Kopi petik merah dari kebun rakyat, disangrai setiap minggu. {_SHIP_NOTE}",
            f"Aroma cokelat dan rempah, keasaman rendah. Cocok untuk V60 dan tubruk. {_FOOD_NOTE}",
            f"Dikemas dalam kemasan zip lock dengan katup satu arah agar tetap segar. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Makanan & Minuman > Camilan",
        code="CML",
        bases=(
            "Keripik Singkong Pedas Balado",
            "Keripik Pisang Manis",
            "Basreng Pedas Daun Jeruk",
            "Makaroni Bantat Pedas",
            "Rempeyek Kacang Tanah",
            "Kerupuk Kulit Sapi",
            "Emping Melinjo Asli Pandeglang",
            "Keripik Tempe Sagu",
        ),
        qualifiers=("Renyah", "Oleh-Oleh Khas", "Kemasan Ekonomis", "Tanpa Pengawet", "Homemade"),
        sizes=("100 gr", "250 gr", "500 gr"),
        brands=("Dapur Bu Rini", "Sari Rasa Mandiri", "Waroeng Oleh-Oleh", "Camilan Mak Ijah"),
        price=(15_000, 85_000),
        weight=(100, 500),
        tiers=(
            Tier("Rasa", ("Original", "Pedas", "Balado", "Keju", "Jagung Bakar", "Rumput Laut")),
            Tier("Ukuran", ("100 gr", "250 gr", "500 gr")),
        ),
        descriptions=(
            f"Digoreng dengan minyak baru setiap produksi, renyah tahan lama. {_FOOD_NOTE}",
            f"Camilan favorit keluarga, cocok untuk teman nonton dan oleh-oleh. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Makanan & Minuman > Bumbu & Sambal",
        code="SBL",
        bases=(
            "Sambal Bawang Roa",
            "Sambal Cumi Asin",
            "Sambal Matah Bali",
            "Sambal Teri Medan",
            "Bumbu Rendang Padang",
            "Sambal Ijo Khas Padang",
            "Sambal Bajak Tegal",
        ),
        qualifiers=("Pedas Mantap", "Tanpa MSG", "Siap Saji", "Resep Keluarga", "Botol Kaca"),
        sizes=("150 ml", "250 ml"),
        brands=("Sambal Mak Ijah", "Dapur Bu Rini", "Rumah Bumbu Minang", "Sambal Nyonya Lie"),
        price=(18_000, 95_000),
        weight=(150, 600),
        tiers=(
            Tier("Level", ("Sedang", "Pedas", "Extra Pedas")),
            Tier("Ukuran", ("150 ml", "250 ml")),
        ),
        descriptions=(
            "Dimasak dengan cabai segar dan bawang pilihan, tahan 3 bulan tanpa kulkas. "
            + _FOOD_NOTE,
            f"Dikemas botol kaca dan bubble wrap tebal agar aman di perjalanan. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Pakaian Pria > Kemeja",
        code="KMJ",
        bases=(
            "Kemeja Batik Pria Lengan Panjang",
            "Kemeja Batik Pria Lengan Pendek",
            "Kaos Polos Cotton Combed 30s",
            "Celana Chino Slim Fit",
            "Jaket Bomber Pria",
            "Sarung Tenun Samarinda",
            "Kemeja Flanel Kotak",
        ),
        qualifiers=("Premium", "Motif Parang", "Motif Mega Mendung", "Bahan Katun", "Slim Fit"),
        sizes=("All Size",),
        brands=(
            "Batik Sekar Jagad",
            "Rumah Batik Laweyan",
            "Konveksi Berkah Abadi",
            "Tenun Lestari",
        ),
        price=(45_000, 450_000),
        weight=(200, 800),
        tiers=(
            Tier("Warna", ("Merah", "Hitam", "Navy", "Putih", "Cokelat", "Hijau Army", "Maroon")),
            Tier("Ukuran", ("S", "M", "L", "XL", "XXL")),
        ),
        descriptions=(
            f"Bahan adem dan tidak luntur, jahitan rapi khas konveksi lokal. {_CARE_NOTE}",
            f"Cocok untuk kerja, kondangan dan acara resmi. Cek tabel ukuran di foto. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Fashion Muslim > Gamis & Hijab",
        code="MSL",
        bases=(
            "Gamis Syari Katun Jepang",
            "Hijab Segi Empat Voal",
            "Tunik Rayon Motif Bunga",
            "Kebaya Brokat Modern",
            "Mukena Katun Rayon Bordir",
            "Daster Batik Pekalongan",
        ),
        qualifiers=("Premium", "Adem", "Jumbo", "Motif Terbaru", "Bahan Lembut"),
        sizes=("All Size",),
        brands=("Hijab Cantik Bandung", "Butik Aisyah", "Rajut Cantik", "Pekalongan Batik Center"),
        price=(35_000, 650_000),
        weight=(150, 900),
        tiers=(
            Tier("Warna", ("Dusty Pink", "Sage", "Hitam", "Navy", "Mocca", "Maroon", "Lilac")),
            Tier("Ukuran", ("S", "M", "L", "XL", "All Size")),
        ),
        descriptions=(
            f"Jahitan rapi, bahan tidak menerawang dan nyaman dipakai seharian. {_CARE_NOTE}",
            f"Produksi penjahit rumahan, stok terbatas setiap motif. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Perlengkapan Rumah > Kerajinan",
        code="KRJ",
        bases=(
            "Tas Anyaman Rotan Bali",
            "Tikar Pandan Tasikmalaya",
            "Cobek Batu Asli Merapi",
            "Taplak Meja Tenun Ikat",
            "Keranjang Bambu Serbaguna",
            "Gelas Bambu Ukir",
        ),
        qualifiers=("Handmade", "Kerajinan Asli", "Ramah Lingkungan", "Natural", "Estetik"),
        sizes=("Kecil", "Sedang", "Besar"),
        brands=("Kriya Lestari", "Rumah Tenun Sumba", "Anyaman Ibu Sari", "Bambu Kreatif Jogja"),
        price=(25_000, 750_000),
        weight=(300, 3_000),
        tiers=(
            Tier("Ukuran", ("Kecil", "Sedang", "Besar", "Jumbo")),
            Tier("Motif", ("Polos", "Ukir", "Natural")),
        ),
        descriptions=(
            f"Dibuat tangan oleh pengrajin desa, setiap produk unik. {_CARE_NOTE}",
            f"Dikemas dengan kardus tebal, bisa untuk hadiah dan suvenir. {_SHIP_NOTE}",
        ),
    ),
    Family(
        category="Kecantikan > Perawatan Tubuh",
        code="HRB",
        bases=(
            "Minyak Kayu Putih Asli Buru",
            "Lulur Mandi Tradisional",
            "Masker Wajah Bengkoang",
            "Jamu Kunyit Asam",
            "Sabun Sereh Wangi Handmade",
            "Minyak Kemiri Penumbuh Rambut",
        ),
        qualifiers=("Alami", "BPOM", "Tanpa Paraben", "Resep Keraton", "Kemasan Baru"),
        sizes=("60 ml", "120 ml", "250 ml"),
        brands=("Herbal Nusantara", "Sari Ayu Desa", "Rumah Jamu Mbok Darmi", "Lestari Alami"),
        price=(15_000, 150_000),
        weight=(60, 400),
        tiers=(
            Tier("Varian", ("Original", "Green Tea", "Bengkoang", "Kopi", "Susu")),
            Tier("Ukuran", ("60 ml", "120 ml", "250 ml")),
        ),
        descriptions=(
            f"Bahan alami pilihan, aman untuk kulit sensitif. Sudah terdaftar BPOM. {_SHIP_NOTE}",
            "Diracik dari resep turun-temurun. Simpan di tempat sejuk dan kering.",
        ),
    ),
    Family(
        category="Handphone & Aksesoris > Aksesoris",
        code="AKS",
        bases=(
            "Kabel Data USB Type C Fast Charging",
            "Casing HP Silikon Bening",
            "Tempered Glass Anti Gores",
            "Powerbank 10000 mAh",
            "Headset Bluetooth TWS",
            "Holder HP Motor Anti Getar",
        ),
        qualifiers=("Original", "Garansi 1 Bulan", "Kualitas Premium", "Murah Meriah", "Terlaris"),
        sizes=("1 pcs",),
        brands=(
            "Gadget Jaya Cell",
            "Toko Berkah Abadi",
            "Aksesoris Mania",
            "Sinar Cell Mangga Dua",
        ),
        price=(15_000, 350_000),
        weight=(50, 500),
        tiers=(
            Tier("Warna", ("Hitam", "Putih", "Biru", "Merah")),
            Tier("Tipe", ("1 Meter", "2 Meter", "Paket Lengkap")),
        ),
        descriptions=(
            f"Sudah dites sebelum dikirim, garansi tukar jika rusak. {_SHIP_NOTE}",
            "Kompatibel dengan sebagian besar merek HP. Tanyakan stok via chat sebelum order.",
        ),
    ),
)
