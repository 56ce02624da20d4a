from django.db import migrations

CATEGORIES = [
    ("apparel", "Apparel", "服装"),
    ("footwear_bags", "Footwear and bags", "鞋靴箱包"),
    ("beauty_cosmetics", "Beauty and cosmetics", "美妆个护"),
    ("food_beverage", "Food and beverages", "食品饮料"),
    ("fresh_produce", "Fresh produce", "生鲜"),
    ("maternal_baby", "Mother and baby", "母婴"),
    ("home_living", "Home and living", "家居日用"),
    ("furniture", "Furniture", "家具"),
    ("appliances", "Home appliances", "家用电器"),
    ("digital_electronics", "Phones and digital", "手机数码"),
    ("computers_office", "Computers and office", "电脑办公"),
    ("sports_outdoor", "Sports and outdoor", "运动户外"),
    ("toys_games", "Toys and games", "玩具"),
    ("books_media", "Books and media", "图书音像"),
    ("jewelry_watches", "Jewellery and watches", "珠宝钟表"),
    ("health_supplements", "Health supplements", "保健食品"),
    ("medical_devices", "Medical devices", "医疗器械"),
    ("auto_parts", "Car parts and accessories", "汽车用品"),
    ("pet_supplies", "Pet supplies", "宠物用品"),
    ("alcohol", "Wine and spirits", "酒类"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("merchants", "Category")
    for code, name, name_zh in CATEGORIES:
        Category.objects.update_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
