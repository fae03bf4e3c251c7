"""The default category tree: 咨询 / 投诉 / 售后 with editable subcategories."""

from django.db import migrations

TREE = [
    ("consult", "咨询", [
        ("consult.product", "产品咨询"),
        ("consult.promotion", "价格与活动"),
        ("consult.account", "账户与会员"),
        ("consult.order", "订单查询"),
        ("consult.usage", "使用指导"),
    ]),
    ("complaint", "投诉", [
        ("complaint.attitude", "服务态度"),
        ("complaint.business_error", "业务差错"),
        ("complaint.system_failure", "系统故障"),
        ("complaint.quality", "产品质量"),
        ("complaint.delivery", "物流配送"),
    ]),
    ("after_sales", "售后", [
        ("after_sales.return", "退换货"),
        ("after_sales.repair", "维修"),
        ("after_sales.refund", "退款"),
        ("after_sales.installation", "安装预约"),
        ("after_sales.invoice", "发票"),
    ]),
]


def create_tree(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    for root_order, (root_code, root_name, children) in enumerate(TREE):
        root, _ = Category.objects.get_or_create(
            code=root_code, defaults={"name": root_name, "root": root_code, "sort_order": root_order}
        )
        for order, (code, name) in enumerate(children):
            Category.objects.get_or_create(
                code=code,
                defaults={"name": name, "root": root_code, "parent": root, "sort_order": order},
            )


def remove_tree(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.filter(parent__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_tree, remove_tree)]
