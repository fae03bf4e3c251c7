# ruff: noqa: RUF001, RUF002, RUF003, RUF100
# (Full-width Chinese punctuation is intentional in this module.)
"""Chinese demo content for the fictional retailer 云帆电器 (Yunfan Appliances).

Everything here is invented: brands, model numbers, couriers, stores, companies and people.
E-mail addresses only use the reserved ``example.*`` domains.

The module is pure standard library and deterministic: every public function takes a
``random.Random`` and draws from it only, so the same seed gives the same content.

It is built for volume. All tables are prepared at import time; a ticket is produced by
picking a scenario, picking template variants and filling slots with ``str.format_map``.
Slots are filled lazily (a ``dict`` subclass with ``__missing__``), so a ticket only pays
for the slots its templates actually use. Random picks use ``rng.random()`` directly,
which is several times cheaper than ``rng.choice``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "CATEGORY_CODES",
    "CATEGORY_NAMES",
    "CHANNELS",
    "MEMBER_LEVELS",
    "SUBJECT_MAX_LENGTH",
    "TIERS",
    "CustomerProfile",
    "PersonName",
    "TicketText",
    "customer_profile",
    "email_for",
    "mobile_number",
    "person",
    "person_name",
    "staff_roster",
    "ticket_text",
]

SUBJECT_MAX_LENGTH = 60
"""Upper bound for :attr:`TicketText.subject` (characters)."""

# --------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------

CATEGORY_CODES: dict[str, list[str]] = {
    "consult": [
        "consult.product",
        "consult.promotion",
        "consult.account",
        "consult.order",
        "consult.usage",
    ],
    "complaint": [
        "complaint.attitude",
        "complaint.business_error",
        "complaint.system_failure",
        "complaint.quality",
        "complaint.delivery",
    ],
    "after_sales": [
        "after_sales.return",
        "after_sales.repair",
        "after_sales.refund",
        "after_sales.installation",
        "after_sales.invoice",
    ],
}
"""Root category code -> its child category codes."""

CATEGORY_NAMES: dict[str, str] = {
    "consult": "咨询",
    "consult.product": "产品咨询",
    "consult.promotion": "价格与活动",
    "consult.account": "账户与会员",
    "consult.order": "订单查询",
    "consult.usage": "使用指导",
    "complaint": "投诉",
    "complaint.attitude": "服务态度",
    "complaint.business_error": "业务差错",
    "complaint.system_failure": "系统故障",
    "complaint.quality": "产品质量",
    "complaint.delivery": "物流配送",
    "after_sales": "售后",
    "after_sales.return": "退换货",
    "after_sales.repair": "维修",
    "after_sales.refund": "退款",
    "after_sales.installation": "安装预约",
    "after_sales.invoice": "发票",
}
"""Category code (root or child) -> Chinese display name."""

MEMBER_LEVELS: tuple[str, ...] = ("normal", "silver", "gold", "platinum")
TIERS: tuple[str, ...] = ("general", "potential", "core", "strategic")
CHANNELS: tuple[str, ...] = ("phone", "email", "chat", "sms", "wechat", "portal")


def _pick(rand: Callable[[], float], seq: Sequence[str]) -> str:
    """Uniform pick driven by ``rng.random`` (cheaper than ``rng.choice``)."""
    return seq[int(rand() * len(seq))]


def _split(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated literal into a tuple (empty items are kept on purpose)."""
    return tuple(text.split("|"))


def _weighted(pairs: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """Expand ``(value, weight)`` pairs so that a uniform pick follows the weights."""
    out: list[str] = []
    for value, weight in pairs:
        out.extend([value] * weight)
    return tuple(out)


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

_SURNAME_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 46), ("杨", 32), ("黄", 25),
    ("赵", 23), ("吴", 21), ("周", 20), ("徐", 16), ("孙", 15), ("马", 15), ("朱", 14),
    ("胡", 13), ("郭", 12), ("何", 12), ("林", 11), ("高", 11), ("罗", 10), ("郑", 10),
    ("梁", 9), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 5), ("潘", 5), ("袁", 5),
    ("蔡", 5), ("蒋", 5), ("余", 5), ("于", 5), ("杜", 5), ("叶", 5), ("程", 4), ("魏", 4),
    ("苏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("卢", 4), ("姚", 4), ("沈", 4), ("钟", 3),
    ("姜", 3), ("崔", 3), ("谭", 3), ("陆", 3), ("范", 3), ("汪", 3), ("廖", 3), ("石", 3),
    ("金", 3), ("韦", 2), ("贾", 2), ("夏", 2), ("付", 2), ("方", 2), ("邹", 2), ("熊", 2),
    ("白", 2), ("孟", 2), ("秦", 2), ("邱", 2), ("侯", 2), ("江", 2), ("尹", 2), ("薛", 2),
    ("闫", 2), ("段", 2), ("雷", 2), ("龙", 2), ("黎", 2), ("史", 2), ("陶", 2), ("贺", 2),
    ("毛", 2), ("郝", 2), ("顾", 2), ("龚", 2), ("邵", 2), ("万", 1), ("覃", 1), ("武", 1),
    ("钱", 1), ("戴", 1), ("严", 1), ("莫", 1), ("孔", 1), ("向", 1), ("常", 1), ("汤", 1),
    ("康", 1), ("易", 1), ("乔", 1), ("赖", 1), ("文", 1), ("欧阳", 1), ("司马", 1),
    ("上官", 1), ("诸葛", 1), ("皇甫", 1),
)  # fmt: skip
_SURNAMES: tuple[str, ...] = _weighted(_SURNAME_WEIGHTS)
_COMPOUND_SURNAMES: frozenset[str] = frozenset(s for s, _ in _SURNAME_WEIGHTS if len(s) == 2)

_MALE_SINGLE = _split(
    "伟|强|磊|军|洋|勇|杰|涛|明|超|刚|平|辉|鹏|华|飞|鑫|波|斌|宇|浩|凯|健|俊|帆|旭|宁|龙|林|峰|亮|博|毅|琦|晖"
)
_FEMALE_SINGLE = _split(
    "芳|娜|敏|静|丽|艳|娟|霞|燕|玲|婷|雪|慧|琳|红|梅|颖|倩|琴|云|莉|兰|萍|洁|欣|悦|怡|佳|蕾|瑶|晶|薇|莹|璐|岚"
)
_MALE_DOUBLE = _split(
    "建国|志强|海涛|晓东|俊杰|子轩|浩然|宇航|明辉|文博|嘉豪|天佑|振华|立新|国庆|永刚|家明|思远|一鸣|鹏飞|"
    "晨阳|子豪|伟东|光明|德明|建华|俊熙|梓睿|宏伟|志明|卫东|少华|国栋|泽宇|博文|承志|景行|立伟|世杰|明哲"
)
_FEMALE_DOUBLE = _split(
    "秀英|丽娟|婷婷|晓燕|雅琴|欣怡|梓涵|思雨|佳怡|雨桐|诗涵|美玲|淑芬|桂兰|玉梅|海燕|春梅|慧敏|静怡|可欣|"
    "梦琪|雪梅|晓红|文静|丽华|若曦|语桐|佳琪|紫萱|晓雯|艺涵|秀兰|凤英|雅婷|欣妍|一诺|子涵|嘉欣|书瑶|清妍"
)
_MALE_FIRST = _split("子|宇|浩|俊|志|家|明|文|建|嘉|晓|天|泽|伟|国|永|承|皓|睿|立")
_MALE_SECOND = _split("轩|然|杰|宇|涛|辉|峰|鸣|豪|晨|博|翔|川|远|诚|彬|凯|航|霖|安")
_FEMALE_FIRST = _split("雨|思|欣|佳|诗|梦|雅|晓|婉|嘉|若|语|紫|可|静|美|心|芷|书|一")
_FEMALE_SECOND = _split("涵|怡|彤|琪|萱|妍|婷|雯|琳|宁|悦|然|瑶|菲|洁|蕊|茹|薇|宸|诺")


@dataclass(frozen=True, slots=True)
class PersonName:
    """A Chinese personal name split into family name and given name."""

    family: str
    given: str

    @property
    def full(self) -> str:
        """Family name followed by given name, e.g. ``"王建国"``."""
        return self.family + self.given


def person(rng: random.Random) -> PersonName:
    """Return a random, realistic Chinese name as a :class:`PersonName`.

    Surnames follow an approximate real-world frequency (王, 李, 张, 刘, 陈 … most common,
    compound surnames such as 欧阳 rare). About a third of given names have one character.
    """
    rand = rng.random
    family = _pick(rand, _SURNAMES)
    female = rand() < 0.5
    shape = rand()
    if shape < 0.3:
        given = _pick(rand, _FEMALE_SINGLE if female else _MALE_SINGLE)
    elif shape < 0.7:
        given = _pick(rand, _FEMALE_DOUBLE if female else _MALE_DOUBLE)
    elif female:
        given = _pick(rand, _FEMALE_FIRST) + _pick(rand, _FEMALE_SECOND)
    else:
        given = _pick(rand, _MALE_FIRST) + _pick(rand, _MALE_SECOND)
    if given[0] == given[-1] and len(given) == 2 and given not in _FEMALE_DOUBLE:
        given = given[0]  # avoid accidental reduplication such as 宇宇
    return PersonName(family=family, given=given)


def person_name(rng: random.Random) -> str:
    """Return a random, realistic Chinese full name such as ``"陈思雨"``."""
    return person(rng).full


def staff_roster(rng: random.Random, count: int) -> list[str]:
    """Return ``count`` distinct Chinese full names (for agents, leads, technicians…).

    Raises:
        ValueError: if ``count`` is negative or too large to fill with distinct names.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    names: list[str] = []
    seen: set[str] = set()
    attempts = 0
    limit = count * 50 + 100
    while len(names) < count:
        attempts += 1
        if attempts > limit:
            raise ValueError(f"cannot produce {count} distinct names")
        name = person(rng).full
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


_MOBILE_PREFIXES = _split(
    "130|131|132|133|134|135|136|137|138|139|150|151|152|153|155|156|157|158|159|"
    "170|171|173|175|176|177|178|180|181|182|183|184|185|186|187|188|189|191|193|195|198|199"
)


def mobile_number(rng: random.Random) -> str:
    """Return an 11-digit mainland mobile number with a real carrier prefix (13x to 19x)."""
    rand = rng.random
    return f"{_pick(rand, _MOBILE_PREFIXES)}{int(rand() * 100_000_000):08d}"


_EMAIL_DOMAINS = ("example.com", "example.cn", "example.net")
_EMAIL_WORDS = _split(
    "user|home|sun|moon|star|lucky|happy|blue|green|cloud|river|panda|tiger|apple|kiwi|"
    "mail|note|daily|sky|leaf|coco|mango|berry|ocean"
)
_LETTERS = "abcdefghijkmnpqrstuvwxyz"


def email_for(rng: random.Random, name: str) -> str:
    """Return a plausible e-mail address on a reserved domain (example.com/.cn/.net).

    ``name`` is accepted so callers can pass the owner, but the address is deliberately not
    derived from it: the local part is an English word or random letters plus digits.
    """
    del name  # no transliteration on purpose
    rand = rng.random
    if rand() < 0.5:
        local = _pick(rand, _EMAIL_WORDS)
    else:
        local = "".join(_LETTERS[int(rand() * len(_LETTERS))] for _ in range(4 + int(rand() * 4)))
    digits = int(rand() * 10_000)
    if rand() < 0.2:
        local = f"{local}.{_pick(rand, _EMAIL_WORDS)}"
    return f"{local}{digits}@{_pick(rand, _EMAIL_DOMAINS)}"


# --------------------------------------------------------------------------------------
# Places, shops, couriers, dates
# --------------------------------------------------------------------------------------

_CITIES = _weighted(
    [(c, 4) for c in ("杭州", "上海")]
    + [(c, 2) for c in ("北京", "广州", "深圳", "南京", "苏州", "成都", "武汉", "宁波")]
    + [
        (c, 1)
        for c in (
            "西安", "重庆", "长沙", "合肥", "郑州", "济南", "青岛", "厦门", "福州", "天津",
            "沈阳", "大连", "昆明", "南昌", "无锡", "温州", "绍兴", "嘉兴", "佛山", "东莞",
        )
    ]
)  # fmt: skip
_STORE_SUFFIXES = _split(
    "旗舰店|中心广场店|人民路店|高新区店|滨江店|城东店|城西店|新区店|解放路店|体验中心|火车站店|万象汇店"
)
_COMMUNITIES = _split(
    "锦绣花园|阳光新城|翠湖苑|金桂园|御景湾|东方名邸|云栖小区|枫林雅苑|南湖家园|学府里|"
    "香樟苑|滨河花园|春晓公寓|世纪华庭|绿洲小区|明月湾|嘉禾园|和平里小区|梧桐郡|星河湾"
)
_COURIERS: tuple[tuple[str, str], ...] = (
    ("疾风速运", "JF"),
    ("捷运通物流", "JY"),
    ("云帆自营配送", "YS"),
    ("畅途快递", "CT"),
    ("飞羽速递", "FY"),
    ("恒通达物流", "HT"),
)
_COURIER_NAMES = tuple(name for name, _ in _COURIERS)
_COURIER_CODES = dict(_COURIERS)
_TIME_WINDOWS = _split(
    "上午9点至12点|下午1点至5点|下午2点至6点|晚上6点至8点|上午10点左右|下午3点前后|上午8点半至11点"
)
_PROMOS = _split(
    "双十一大促|618年中庆|国庆焕新季|年货节|会员日|五一家电节|开学季数码节|以旧换新补贴季|周年庆"
)
_LEVELS = _split("普通会员|银卡会员|金卡会员|白金会员")
_ERROR_CODES = _split("E1|E2|E3|E4|E5|F1|F2|F3|H1|H3|P2|P4|EC|CL")
_COMPANY_WORDS = _split(
    "明远|瑞丰|嘉禾|恒信|启航|锦程|德润|新桥|众合|远景|和煦|长青|博雅|立诚|云锦"
)
_COMPANY_SUFFIXES = _split(
    "科技有限公司|酒店管理有限公司|贸易有限公司|物业服务有限公司|餐饮管理有限公司|教育咨询有限公司|"
    "连锁超市有限公司|养老服务有限公司"
)
_REGION_CODES = _split("330106|310104|110105|440106|440305|320106|510107|420106|330203|610113")
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DATES: tuple[str, ...] = tuple(
    f"{m}月{d}日" for m, days in enumerate(_MONTH_DAYS, start=1) for d in range(1, days + 1)
)
_MMDD: tuple[str, ...] = tuple(
    f"{m:02d}{d:02d}" for m, days in enumerate(_MONTH_DAYS, start=1) for d in range(1, days + 1)
)
_DAY_SPAN = len(_DATES) - 16  # leaves room for the later dates (date2, date3)

# --------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------

# kind -> (typical faults, installation material, a loose accessory)
_KINDS: dict[str, tuple[str, str, str]] = {
    "ac": (
        "制冷效果差|室内机漏水|开机报E1故障|外机噪音很大|制热时出冷风",
        "加长铜管和外机支架",
        "遥控器",
    ),
    "fridge": ("冷藏室不制冷|压缩机噪音很大|冷冻室结霜严重|门封条关不严", "调平底脚", "制冰盒"),
    "washer": (
        "脱水时剧烈晃动|不排水并报E21|门锁打不开|进水特别慢",
        "水龙头转接头和加长排水管",
        "进水管",
    ),
    "dryer": ("烘干后衣服仍潮湿|频繁提示清理水盒|滚筒不转", "洗干叠放架", "叠放架"),
    "heater": ("加热很慢|漏电保护频繁跳闸|接口处漏水", "混水阀和专用插座", "混水阀"),
    "gasheater": ("点火失败报E1|出水忽冷忽热|排烟口有异响", "排烟管和燃气软管", "排烟管"),
    "hood": ("吸力明显变小|运行噪音很大|照明灯不亮", "止逆阀和加长烟管", "止逆阀"),
    "stove": ("打不着火|火焰发红不稳定|熄火保护失灵", "燃气软管和卡箍", "燃气软管"),
    "dishwasher": ("洗完餐具有残渣|洗完不排水|报E4漏水故障", "进水三通和排水管", "碗篮"),
    "oven": ("加热不均匀|蒸汽发生器不出汽|面板按键失灵", "嵌入式柜体开孔", "烤盘"),
    "tv": ("开机黑屏|屏幕出现竖线|无法连接网络", "壁挂架", "遥控器"),
    "purifier": ("出水很慢|滤芯提示灯常亮|机器一直响不停机", "前置过滤器和专用龙头", "滤芯"),
    "air": ("风量变小|运行时有异味|传感器显示异常", "原装配件", "滤网"),
    "robot": ("无法自动回充|边刷不转|频繁迷路", "原装配件", "充电座"),
    "rice": ("煮饭夹生|底部糊锅|显示E2无法加热", "原装配件", "内胆"),
    "blender": ("电机转一下就停|有焦糊味|杯体漏水", "原装配件", "搅拌杯"),
    "fryer": ("完全不加热|面板失灵|炸篮涂层脱落", "原装配件", "炸篮"),
    "vacuum": ("吸力下降|充不进电|续航明显变短", "原装配件", "充电器"),
    "microwave": ("不加热|转盘不转|门关不严", "原装配件", "转盘"),
    "fan": ("摇头功能失灵|风速无法调节|遥控失灵", "原装配件", "遥控器"),
    "phone": ("频繁死机重启|电池耗电很快|屏幕触控失灵", "原装配件", "充电器"),
    "laptop": ("开机蓝屏|键盘部分按键失灵|插电无法充电", "原装配件", "电源适配器"),
    "tablet": ("屏幕闪烁|无法充电|触控漂移", "原装配件", "充电器"),
    "earbuds": ("单侧耳机无声|连接频繁断开|降噪功能失效", "原装配件", "充电仓"),
    "watch": ("无法同步数据|续航骤降|心率监测异常", "原装配件", "充电底座"),
    "router": ("频繁断网|信号很弱|指示灯常亮红灯", "原装配件", "电源适配器"),
    "projector": ("画面模糊无法对焦|风扇噪音很大|开机无信号", "原装配件", "遥控器"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Product:
    title: str  # brand + product name, e.g. 凌川变频挂机空调
    noun: str  # generic noun, e.g. 空调
    model: str
    kind: str
    price: int
    faults: tuple[str, ...]
    extra: str
    accessory: str


def _product(brand: str, name: str, noun: str, model: str, kind: str, price: int) -> _Product:
    faults, extra, accessory = _KINDS[kind]
    return _Product(brand + name, noun, model, kind, price, _split(faults), extra, accessory)


_PRODUCTS: tuple[_Product, ...] = (
    _product("凌川", "变频挂机空调", "空调", "KFR-35GW/N1", "ac", 3299),
    _product("凌川", "立式柜机空调", "空调", "KFR-72LW/A3", "ac", 6999),
    _product("禾风", "一级能效挂机空调", "空调", "KFR-26GW/B1", "ac", 2699),
    _product("禾风", "家用风管机", "空调", "FGR-7.2/D2", "ac", 8999),
    _product("雪原", "十字对开门冰箱", "冰箱", "BCD-470WP", "fridge", 4599),
    _product("雪原", "法式多门冰箱", "冰箱", "BCD-520WF", "fridge", 5999),
    _product("青岚", "双门小冰箱", "冰箱", "BCD-218T", "fridge", 1599),
    _product("青岚", "滚筒洗衣机", "洗衣机", "XQG100-B14", "washer", 2999),
    _product("朗意", "波轮洗衣机", "洗衣机", "XQB80-K6", "washer", 1299),
    _product("朗意", "洗烘一体机", "洗衣机", "XQG100-HB12", "washer", 4299),
    _product("沐光", "热泵干衣机", "干衣机", "GDZ10-H3", "dryer", 3999),
    _product("启衡", "储水式电热水器", "热水器", "DSZF-60-J5", "heater", 1899),
    _product("启衡", "恒温燃气热水器", "热水器", "JSQ30-16T2", "gasheater", 2599),
    _product("松岩", "侧吸式油烟机", "油烟机", "CXW-260-E8", "hood", 2799),
    _product("松岩", "嵌入式燃气灶", "燃气灶", "JZT-B52", "stove", 1299),
    _product("汀屿", "嵌入式洗碗机", "洗碗机", "WQP12-D7", "dishwasher", 4999),
    _product("汀屿", "蒸烤一体机", "蒸烤箱", "ZK50-S2", "oven", 5499),
    _product("悦蓝", "65英寸4K智能电视", "电视", "YL-65Q7", "tv", 3999),
    _product("悦蓝", "75英寸MiniLED电视", "电视", "YL-75M9", "tv", 7999),
    _product("鹿鸣", "55英寸智能电视", "电视", "LM-55A5", "tv", 2199),
    _product("舒逸", "反渗透净水器", "净水器", "RO-600G-C3", "purifier", 2399),
    _product("舒逸", "空气净化器", "空气净化器", "KJ500F-P6", "air", 1699),
    _product("启衡", "扫地机器人", "扫地机器人", "QH-S10Pro", "robot", 2499),
    _product("禾风", "智能电饭煲", "电饭煲", "FB40-H5", "rice", 399),
    _product("沐光", "破壁料理机", "料理机", "PB-1208", "blender", 599),
    _product("沐光", "空气炸锅", "空气炸锅", "KZ-55A", "fryer", 349),
    _product("汀屿", "无线吸尘器", "吸尘器", "TY-V8Lite", "vacuum", 1299),
    _product("青岚", "变频微波炉", "微波炉", "M1-L213", "microwave", 599),
    _product("凌川", "直流变频落地扇", "电风扇", "FS-40DC", "fan", 299),
    _product("星澈", "5G智能手机", "手机", "XC-12", "phone", 2999),
    _product("星澈", "轻薄笔记本电脑", "笔记本电脑", "Book14-Air", "laptop", 4999),
    _product("星澈", "11英寸平板电脑", "平板电脑", "Pad11", "tablet", 1999),
    _product("鹿鸣", "降噪蓝牙耳机", "蓝牙耳机", "LM-Buds3", "earbuds", 499),
    _product("鹿鸣", "智能手表", "智能手表", "LM-WatchS2", "watch", 899),
    _product("星澈", "千兆无线路由器", "路由器", "AX3000", "router", 299),
    _product("悦蓝", "家用投影仪", "投影仪", "YL-P3", "projector", 2599),
)

_INSTALL_KINDS = frozenset(
    {"ac", "washer", "dryer", "heater", "gasheater", "hood", "stove", "dishwasher", "oven", "tv"}
    | {"purifier"}
)
_DIGITAL_KINDS = frozenset({"phone", "laptop", "tablet", "earbuds", "watch", "router"})


def _pool(predicate: Callable[[_Product], bool]) -> tuple[_Product, ...]:
    return tuple(p for p in _PRODUCTS if predicate(p))


_POOLS: dict[str, tuple[_Product, ...]] = {
    "ALL": _PRODUCTS,
    "INSTALL": _pool(lambda p: p.kind in _INSTALL_KINDS),
    "LARGE": _pool(lambda p: p.kind in _INSTALL_KINDS or p.kind == "fridge"),
    "SMALL": _pool(lambda p: p.kind not in _INSTALL_KINDS and p.kind != "fridge"),
    "HOME": _pool(lambda p: p.kind not in _DIGITAL_KINDS),
    "DIGITAL": _pool(lambda p: p.kind in _DIGITAL_KINDS),
    "DEVICE": _pool(lambda p: p.kind in {"phone", "laptop", "tablet"}),
    "SMART": _pool(
        lambda p: p.kind in {"ac", "washer", "tv", "air", "robot", "dishwasher", "purifier"}
    ),
    "EMBED": _pool(lambda p: p.kind in {"fridge", "washer", "dryer", "dishwasher", "oven"}),
    "AC": _pool(lambda p: p.kind == "ac"),
}

# --------------------------------------------------------------------------------------
# Slots
# --------------------------------------------------------------------------------------


def _staff_pool() -> tuple[str, ...]:
    return tuple(staff_roster(random.Random(20240611), 240))


_STAFF = _staff_pool()


class _Slots(dict[str, str]):
    """Template values for one ticket; missing slots are generated on first use."""

    __slots__ = ("day", "product", "rand")

    day: int
    product: _Product
    rand: Callable[[], float]

    def __missing__(self, key: str) -> str:
        value = _MAKERS[key](self)
        self[key] = value
        return value


def _day(s: _Slots) -> int:
    if s.day < 0:
        s.day = int(s.rand() * _DAY_SPAN)
    return s.day


_GENERIC_NAMES = frozenset({"", "客户", "顾客", "用户", "先生", "女士"})


def _salutation(name: str, rand: Callable[[], float]) -> str:
    """``"陈先生"``/``"陈女士"`` for a personal name; other names are used unchanged."""
    if name in _GENERIC_NAMES or not 2 <= len(name) <= 4:
        return name or "客户"
    family = name[:2] if name[:2] in _COMPOUND_SURNAMES else name[:1]
    return family + ("先生" if rand() < 0.5 else "女士")


def _tax_id(s: _Slots) -> str:
    rand = s.rand
    tail = "".join(_CODE_CHARS[int(rand() * len(_CODE_CHARS))] for _ in range(8))
    return f"91{_pick(rand, _REGION_CODES)}MA{tail}"


def _diff(s: _Slots) -> str:
    if s.product.price < 1000:
        return _pick(s.rand, ("20", "30", "40", "50", "60", "80"))
    return _pick(s.rand, ("50", "80", "100", "120", "150", "200", "260", "300", "400", "500"))


def _waybill(s: _Slots) -> str:
    return f"{_COURIER_CODES[s['courier']]}{int(s.rand() * 10_000_000_000):010d}"


def _address(s: _Slots) -> str:
    rand = s.rand
    return (
        f"{_pick(rand, _COMMUNITIES)}{1 + int(rand() * 18)}幢{1 + int(rand() * 4)}单元"
        f"{1 + int(rand() * 28)}{1 + int(rand() * 4):02d}室"
    )


_PRICE_STEPS = (-300, -200, -100, 0, 0, 100, 200, 300)

_MAKERS: dict[str, Callable[[_Slots], str]] = {
    "cust": lambda s: _salutation(s["name"], s.rand),
    "tech": lambda s: _pick(s.rand, _SURNAMES) + "师傅",
    "staff": lambda s: _pick(s.rand, _STAFF),
    "date": lambda s: _DATES[_day(s)],
    "date2": lambda s: _DATES[_day(s) + 2 + int(s.rand() * 5)],
    "date3": lambda s: _DATES[_day(s) + 9 + int(s.rand() * 6)],
    "order": lambda s: f"YF25{_MMDD[_day(s)]}{int(s.rand() * 1_000_000):06d}",
    "time": lambda s: _pick(s.rand, _TIME_WINDOWS),
    "city": lambda s: _pick(s.rand, _CITIES),
    "store": lambda s: f"云帆电器{s['city']}{_pick(s.rand, _STORE_SUFFIXES)}",
    "addr": _address,
    "courier": lambda s: _pick(s.rand, _COURIER_NAMES),
    "waybill": _waybill,
    "price": lambda s: str(
        max(s.product.price + _PRICE_STEPS[int(s.rand() * 8)], s.product.price // 2)
    ),
    "diff": _diff,
    "fee": lambda s: _pick(s.rand, ("60", "80", "100", "120", "150", "180", "200", "260", "300")),
    "days": lambda s: str(2 + int(s.rand() * 11)),
    "n": lambda s: _pick(s.rand, ("2", "3", "3", "4", "5")),
    "years": lambda s: _pick(s.rand, ("三", "四", "五", "六", "七", "八", "十", "十二")),
    "family": lambda s: _pick(s.rand, ("两", "三", "三", "四", "四", "五", "六")),
    "width": lambda s: str(58 + 2 * int(s.rand() * 17)),
    "floor": lambda s: str(3 + int(s.rand() * 30)),
    "qty": lambda s: _pick(s.rand, ("5", "8", "10", "12", "15", "20", "30", "50", "80", "120")),
    "periods": lambda s: _pick(s.rand, ("3", "6", "12", "24")),
    "promo": lambda s: _pick(s.rand, _PROMOS),
    "level": lambda s: _pick(s.rand, _LEVELS),
    "points": lambda s: str(800 + int(s.rand() * 30_000)),
    "coupon": lambda s: _pick(s.rand, ("20", "30", "50", "80", "100", "150", "200")),
    "deposit": lambda s: _pick(s.rand, ("50", "100", "200", "300", "500")),
    "company": lambda s: (
        f"{s['city']}{_pick(s.rand, _COMPANY_WORDS)}{_pick(s.rand, _COMPANY_SUFFIXES)}"
    ),
    "taxid": _tax_id,
    "tail": lambda s: f"{int(s.rand() * 10_000):04d}",
    "code": lambda s: _pick(s.rand, _ERROR_CODES),
    "fault": lambda s: _pick(s.rand, s.product.faults),
    "extra": lambda s: s.product.extra,
    "acc": lambda s: s.product.accessory,
}

# Filled eagerly for every ticket.
_EAGER_SLOTS = frozenset({"name", "product", "model", "noun"})
_SLOT_NAMES = frozenset(_MAKERS) | _EAGER_SLOTS

# --------------------------------------------------------------------------------------
# Scenario templates
# --------------------------------------------------------------------------------------
#
# Format: a line "== <category code> <product pool>" opens a scenario; each following line
# is "<field>:<template>" and may repeat to add variants. Fields:
#   S subject · D description · N need points (items separated by "；", numbered on load)
#   P solution · I internal note · C customer reply · A agent reply body
# Slots are written {name}; see _MAKERS and _EAGER_SLOTS.

_SCENARIO_TEXT = """
== consult.product HOME
S:咨询{product}（{model}）的功能与参数
S:{model}型号{noun}参数咨询
S:想了解{product}是否适合家用
D:客户计划在{city}新家添置一台{noun}，看中了{product}（{model}），想了解这款的能效等级、运行噪音和整机尺寸，页面标价{price}元。
D:{cust}来电称在{store}看过{product}样机，型号{model}，家里{family}口人，想确认这款是否够用，以及和同价位其他型号相比有什么优势。
D:“你好，我想问下{product}（{model}）的具体参数，能效是几级？噪音大不大？我们家{family}口人用合适吗？”
N:介绍{model}的能效、噪音与尺寸参数；结合{family}口之家的使用场景给出选型建议
N:说明{model}的核心卖点；与同价位型号对比优劣
P:已向客户详细介绍{model}的能效等级、噪音和尺寸参数，并发送产品参数页链接，建议客户到{store}体验样机。
P:已结合客户家庭人数推荐{model}及一款高配型号，并告知当前售价{price}元，客户表示{date2}前去门店看实物。
I:客户比较关注噪音问题，如再来电可直接推荐静音款。
I:客户预算在{price}元左右，对能效要求较高。
C:我再对比一下，周末去{store}看看实物。
C:参数链接收到了，这款现在下单多久能送到{city}？
A:{model}的能效、尺寸和噪音参数已通过短信发送给您，供您参考。如方便，也欢迎您到{store}体验样机，店员会为您现场讲解。
A:结合您家里{family}口人的使用情况，{product}（{model}）的容量和功能都比较合适。当前页面价格为{price}元，如需下单或有其他问题，我们随时为您服务。

== consult.product ALL
S:{product}保修政策咨询
S:{product}保修卡是否需要寄回
D:客户准备购买{product}（{model}），想了解整机保修几年、核心部件保修多久，以及延保服务的价格和范围。
D:客户{date}在{store}购买了{product}，订单号{order}，询问保修卡是否需要填写寄回，以及保修期从哪天开始计算。
N:说明整机与核心部件保修年限；介绍延保服务价格与范围
N:确认保修起算时间；说明电子保修凭证的查询方式
P:已告知客户整机保修期及核心部件保修年限，并介绍了2年和3年两档延保方案，客户表示考虑后再决定。
P:已说明保修期自发票开具日起计算，订单{order}的电子保修凭证可在App“我的服务”中查看，无需寄回纸质保修卡。
I:客户对延保兴趣较大，可在下单后由会员中心跟进推荐。
I:客户担心纸质保修卡丢失，已告知电子凭证同样有效。
C:明白了，那延保能不能下单后再买？
C:好的，我在App上看到保修信息了，谢谢。
A:{product}的整机和核心部件保修年限说明已发送至您的手机；如需更长保障，可在购买后30天内加购延保服务。
A:您的订单{order}已自动生成电子保修凭证，保修期自发票开具之日起计算，您可随时在App“我的服务”中查看，无需寄回纸质保修卡。

== consult.product EMBED
S:{noun}尺寸能否放入预留位置
S:咨询{model}的嵌入安装尺寸
D:客户家中橱柜预留宽度为{width}厘米，想确认{product}（{model}）能否放下，以及两侧和背部需要预留多少散热空间。
D:客户正在{city}装修新房，橱柜即将定做，询问{product}（{model}）的嵌入尺寸和电源插座位置要求。
N:提供{model}的精确外形尺寸；说明散热间隙与插座位置要求
P:已将{model}的尺寸图发送至客户手机，并提醒客户按说明书预留散热空间，如不确定可预约免费上门测量。
P:已为客户登记免费上门测量服务，测量师傅将于{date2}{time}上门，由安装调度中心{staff}跟进。
I:客户预留位置偏窄，已提醒注意散热间隙。
I:客户在装修阶段，后续可能有整套厨电采购需求。
C:尺寸图收到了，宽度好像刚好，我再量一下。
C:好的，{date2}家里有人，让师傅来之前打个电话。
A:{model}的外形尺寸图已发送到您的手机，建议两侧和背部按说明书要求预留散热空间。如您不方便测量，我们可以安排师傅免费上门测量。
A:已为您预约{date2}{time}的免费上门测量，师傅出发前会提前电话联系您，请您留意来电。

== consult.product HOME
S:旧{noun}用了{years}年，新款值得换吗
S:{model}与上一代产品有何区别
D:客户家里的旧{noun}已经用了{years}年，想换购{product}（{model}），询问新款与上一代相比有哪些升级，是否值得多花钱。
D:客户在网上看到{product}（{model}）和老款价格相差{diff}元，不清楚两者差别在哪里，希望客服给出建议。
N:说明新款与老款的主要差异；给出是否换购的建议
N:解释两款价差原因；推荐适合客户的型号
P:已从能效、功能和售后政策三个方面为客户对比新旧款差异，并告知可参加以旧换新活动，旧机可折价抵扣。
P:已说明新款主要升级在于能效和智能控制，价差{diff}元，客户表示倾向于购买新款。
I:客户有旧机，可引导参加以旧换新。
I:客户对价格较敏感，有活动时可主动告知。
C:那我旧的{noun}能折多少钱？
C:行，那我下单新款吧。
A:新款{model}在能效和智能控制方面都有明显提升，长期使用更省电。您家中的旧{noun}可以参加以旧换新，折价金额以上门评估为准。
A:两款产品的价差主要来自能效等级和功能配置的不同，如您更看重长期使用成本，建议优先考虑新款{model}。

== consult.product ALL
S:{store}是否有{model}现货
S:{model}显示缺货，何时补货
D:客户想这周末去{store}看{product}（{model}）的实物，询问门店是否有样机和现货，能否当天提货。
D:客户在App上看到{product}显示“{city}地区暂时缺货”，询问什么时候补货，能否从其他门店调货。
N:查询{store}的样机与库存；确认能否当天提货
N:确认{city}地区补货时间；询问跨店调货的可能
P:已查询{store}有{model}样机及现货，已为客户登记预留至{date2}，到店报手机尾号{tail}即可。
P:经与商品部核实，{model}预计{date2}到货，已为客户登记到货提醒，由商品部{staff}负责通知。
I:已在门店系统中为客户预留库存，过期自动释放。
I:客户着急使用，如提前到货请优先通知。
C:太好了，我周六上午过去。
C:那到货了一定第一时间告诉我，谢谢。
A:经查询，{store}目前有{model}的样机和现货，我们已为您预留至{date2}，到店后向店员报手机尾号{tail}即可。
A:{model}预计在{date2}到货，我们已为您登记到货提醒，到货后会第一时间短信通知您。

== consult.product DEVICE
S:{product}是否支持快充
S:咨询{model}的配置参数
D:客户询问{product}（{model}）是否支持快充，能不能用家里原来的充电器，另外想知道有没有官方保护套赠送。
D:客户准备给孩子买{product}（{model}）上网课，询问存储和续航是否够用，是否支持家长管控功能。
N:说明{model}的充电规格与配件兼容性；确认赠品情况
N:介绍{model}的续航与存储配置；说明家长管控功能
P:已告知客户{model}支持快充，旧充电器可正常使用但充电速度会变慢，当前活动赠送保护套一个。
P:已为客户介绍{model}的续航与存储配置，并说明系统自带家长管控功能的开启方法。
I:客户对配件兼容性比较在意。
I:购买用途为学生网课，可推荐学习类配件。
C:那我就不用另外买充电器了，谢谢。
C:家长管控在哪里设置？能发个说明给我吗？
A:{model}支持快充，您原有的充电器也可以正常使用，只是充电速度会比原装充电器慢一些。目前购买还赠送保护套一个。
A:{model}自带家长管控功能，可设置使用时长和应用权限，操作说明我们已通过短信发送给您。

== consult.promotion ALL
S:购买后降价，申请价保
S:{product}降价{diff}元能否退差价
D:客户{date}在云帆电器App购买了{product}（{model}），实付{price}元，今天发现同款降价了{diff}元，询问能否申请价格保护退还差价，订单号{order}。
D:{cust}称{date}刚在{store}买的{product}，现在{promo}活动价便宜了{diff}元，觉得不划算，问能不能补差价。
N:核实订单{order}是否在价保期内；说明价保申请方式及差价退回时间
P:经核实订单{order}在15天价保期内，已为客户提交价保申请，差价{diff}元将于3个工作日内原路退回，由财务部{staff}跟进。
P:经核实该商品参加的{promo}属于限时活动，已按价保规则为客户提交申请，预计{date2}前完成审核。
I:客户语气平和，价保到账后请短信告知。
I:门店订单需由门店财务核对，已同步{store}。
C:好的，差价退到哪里？原来的付款账户吗？
C:行吧，那我等你们审核结果。
A:您的订单{order}在价保期内，我们已为您提交价保申请，差价{diff}元将在3个工作日内原路退回您的付款账户。
A:我们已按价格保护规则为您提交申请，预计{date2}前完成审核，结果会通过短信通知您。

== consult.promotion ALL
S:{promo}满减规则咨询
S:{product}参加{promo}到手价多少
D:客户询问{promo}期间{product}（{model}）是否参加满减，叠加{coupon}元优惠券后实际到手价是多少。
D:客户看到{promo}宣传页写着“最高立减{diff}元”，但自己算下来{product}只便宜了一点，希望客服解释优惠规则。
N:说明{promo}满减与优惠券叠加规则；计算{model}的到手价
N:解释“最高立减”的适用范围；列明{model}可享受的优惠
P:已向客户说明{promo}的满减门槛和优惠券叠加规则，并按当前价格帮客户计算出到手价，客户表示清楚。
P:已解释“最高立减”仅适用于部分高端型号，{model}可享受的优惠已逐项说明，并将活动规则链接发送给客户。
I:客户关注到手价，下单前可能再次咨询。
I:活动规则页面措辞容易引起误解，已反馈给营销部。
C:原来是这样，那我现在下单吧。
C:你们宣传页写得不清楚，建议改一改。
A:{promo}期间，{model}可参加满减活动，并可叠加使用{coupon}元优惠券，具体到手价以结算页面显示为准。
A:“最高立减”优惠适用于部分指定型号，{model}可享受的优惠明细已经发送到您的手机。页面说明不够清晰的问题，我们会反馈给相关部门改进。

== consult.promotion LARGE
S:以旧换新补贴如何申请
S:以旧换新的旧机如何回收
D:客户家中有一台用了{years}年的旧{noun}，想换购{product}（{model}），询问以旧换新的折价标准和补贴怎么领取。
D:{cust}在{city}，想了解以旧换新是否需要先把旧机送到门店，上门回收要不要收费。
N:说明旧机折价标准；介绍补贴领取流程
N:说明旧机回收方式；确认是否收取回收费用
P:已向客户介绍以旧换新折价标准和补贴领取流程，旧机由送货师傅在送新机时一并回收，客户表示会在{promo}期间下单。
P:已告知客户{city}地区支持送新取旧，回收不收取费用，折价金额以师傅上门评估为准。
I:客户旧机使用年限较长，折价金额可能不高，已提前说明。
I:客户关心是否需要自己搬运旧机。
C:那补贴是直接减在价格里吗？
C:好的，不用我自己搬就行。
A:参加以旧换新，旧{noun}在送新机时由师傅一并上门回收，折价金额以师傅现场评估为准，符合条件的补贴会在结算时直接抵扣。
A:{city}地区支持送新取旧服务，旧机回收不收取任何费用，您只需在下单时勾选“以旧换新”即可。

== consult.promotion ALL
S:{product}分期免息咨询
S:分{periods}期购买是否有手续费
D:客户想分{periods}期购买{product}（{model}），售价{price}元，询问是否免息、支持哪些银行的信用卡。
D:客户问在{store}刷信用卡分期买{product}和在App上分期是否一样，有没有手续费。
N:说明分{periods}期免息条件；列出支持的支付方式
N:说明门店与App分期政策的异同；确认手续费情况
P:已告知客户{model}支持{periods}期免息分期，并将支持的银行列表发送至客户手机。
P:已说明门店与App分期政策一致，{promo}期间部分银行可享免息，具体以支付页面显示为准。
I:客户对手续费比较敏感，下单前需确认页面显示免息。
C:我用的是本地银行的卡，可以吗？
C:好的，那我在App上下单。
A:{model}目前支持分{periods}期免息，支持的银行列表已发送至您的手机，具体以支付页面显示为准。
A:门店和App的分期政策一致，{promo}期间部分银行信用卡可享受免息，您在支付时可以看到每期金额和手续费明细。

== consult.promotion ALL
S:优惠券结算时提示不满足条件
S:{coupon}元优惠券无法使用
D:客户领取了{coupon}元的{promo}优惠券，结算{product}（{model}）时提示“不满足使用条件”，询问原因。
D:客户反映会员日领的{coupon}元券在购物车里显示灰色，不知道是不是过期了，想买{product}时用。
N:核实优惠券的使用门槛和适用范围；告知客户可用的替代优惠
P:经核实该优惠券仅适用于小家电品类，{model}不在适用范围内，已为客户推荐可用的品类券。
P:经查该券有效期至{date2}，因购物车中含不参与活动的商品导致无法使用，已指导客户分开结算。
I:优惠券适用范围的说明不够醒目，已记录反馈。
C:早说嘛，领的时候也没写清楚。
C:分开结算后可以用了，谢谢。
A:经核实，这张{coupon}元优惠券仅适用于指定品类，{model}暂不在使用范围内。我们为您找到了一张可用的品类券，已发放到您的账户。
A:您的优惠券有效期至{date2}，因购物车中有不参加活动的商品，所以暂时无法使用，建议您将{product}单独结算即可。

== consult.promotion ALL
S:企业批量采购{qty}台{noun}询价
S:团购{product}价格咨询
D:客户代表{company}询问批量采购{qty}台{product}（{model}）的团购价格，需要开具增值税专用发票并统一送货到{city}。
D:客户所在单位准备为员工宿舍采购{qty}台{product}，希望了解企业采购折扣和配送安装服务。
N:提供{qty}台{model}的团购报价；确认开票与统一配送安排
P:已将客户需求转交企业客户部，由{staff}在{date2}前提供正式报价单并联系客户确认。
P:已登记采购需求，企业客户部{staff}将于24小时内联系客户，确认数量、配送和安装安排。
I:潜在企业客户，数量较大，请企业客户部优先跟进。
C:报价单发我邮箱就行，另外我们需要对公转账。
C:好的，等你们联系。
A:您的采购需求已转交企业客户部，专属顾问{staff}将在{date2}前与您联系并提供正式报价单，开票和配送事宜可一并沟通。

== consult.account ALL
S:{level}如何升级
S:会员等级长期未变化，询问原因
D:客户目前是{level}，询问升级到更高等级需要累计多少消费，以及不同等级有哪些专属权益。
D:{cust}称今年在云帆电器买了好几件家电，包括{product}，但会员等级一直没有变化，想了解等级是怎么计算的。
N:说明会员成长值规则；介绍各等级权益
N:核查客户成长值明细；解释等级未变化的原因
P:已向客户说明成长值按实付金额累计，并介绍了各等级在延保、免费清洗等方面的权益。
P:已核查客户成长值，因部分订单退货导致成长值扣减，已向客户逐项说明。
I:客户对会员权益关注度高，可推荐会员日活动。
C:明白了，差一点就升级了。
C:原来退货也会扣，知道了。
A:会员成长值按订单实付金额累计，达到相应门槛后系统会自动升级，各等级权益说明已发送至您的手机。
A:我们已为您核查成长值明细，部分订单因退货扣减了相应成长值，明细可在App“会员中心”中查看。

== consult.account ALL
S:{points}积分何时到期，能否抵现
S:积分即将过期，如何兑换礼品
D:客户账户有{points}积分，询问积分什么时候到期，能否在购买{product}时抵扣现金。
D:客户收到短信提示有{points}积分即将过期，想知道怎么兑换，兑换的礼品是否包邮。
N:告知积分有效期；说明积分抵扣与兑换规则
P:已告知客户积分有效期至年底，每100积分可抵扣1元，单笔订单最多抵扣订单金额的10%。
P:已指导客户在App积分商城兑换礼品，兑换商品包邮，预计{date2}前送达。
I:客户积分较多，可提醒参加积分加倍活动。
C:那我下单的时候勾选积分抵扣就行是吧？
C:好的，我去积分商城看看。
A:您的{points}积分有效期至今年12月31日，下单时勾选“积分抵扣”即可使用，每100积分抵扣1元。
A:积分商城的兑换商品均包邮，兑换成功后预计{date2}前送达，物流信息可在App中查看。

== consult.account ALL
S:会员账户换绑至尾号{tail}的新手机号
S:原手机号停用，申请换绑
D:客户原来的手机号已经停用，想把会员账户绑定的手机号改为尾号{tail}的新号码，但收不到原号码的验证码。
D:{cust}表示绑定的手机号是家里老人的，想改成自己尾号{tail}的号码，询问需要提供什么材料。
N:核实客户身份；指导办理人工换绑
P:已核实客户身份信息，按人工换绑流程提交申请，预计1个工作日内完成，由会员中心{staff}处理。
P:已告知客户需提供身份证照片和近期订单信息，提交后会员中心将在24小时内完成换绑。
I:换绑涉及账户安全，务必完成身份核验后再操作。
C:换好了记得发短信告诉我。
C:好的，资料我晚上发过来。
A:为保障您的账户安全，我们已为您提交人工换绑申请，预计1个工作日内完成，完成后会向尾号{tail}的新号码发送短信通知。

== consult.account ALL
S:两个会员账户共{points}积分能否合并
S:门店消费积分未同步到App账户
D:客户之前用邮箱和手机号分别注册了两个会员账户，积分合计约{points}分，想合并到一个账户里。
D:客户反映在门店和App上各有一个账户，{date}在{store}买的{product}积分没有记到App账户。
N:核实两个账户信息；办理积分合并或补录
P:已核实两个账户均为客户本人，已提交合并申请，积分将于{date2}前合并到手机号账户。
P:已为客户补录{store}订单积分，并将门店账户与App账户关联。
I:合并后原邮箱账户将停用，已提前告知客户。
I:门店账户与App账户已关联，请留意核对历史订单积分。
C:好的，合并后原来的优惠券还在吗？
C:谢谢，以后在门店买也能积分就好。
A:您的两个账户合并申请已经提交，积分将在{date2}前合并至手机号账户，原账户中未使用的优惠券也会一并转移。
A:我们已为您补录{store}订单的积分，并已关联门店与App账户，今后门店消费也会自动累计积分。

== consult.account ALL
S:申请注销会员账户
S:注销账户及删除个人信息咨询
D:客户要求注销云帆电器会员账户并删除个人信息，询问注销流程以及未使用的{points}积分如何处理。
D:客户称不想再收到营销短信，想注销账户，但担心已购{product}的保修会受影响。
N:说明注销流程与影响；确认积分与优惠券的处理方式
N:关闭营销短信；说明注销后保修不受影响
P:已向客户说明注销后积分和优惠券将清零，客户确认仍需注销，已提交申请，15个工作日内完成。
P:已先为客户关闭营销短信，并说明保修凭证以订单和发票为准，不受账户注销影响，客户决定暂不注销。
I:客户已确认知晓注销后果，相关通话已留存录音。
I:客户对营销短信反感，已在系统中标记“勿营销”。
C:积分清零也没关系，还是注销吧。
C:短信关了就行，账号先留着。
A:已为您提交账户注销申请，将在15个工作日内完成。需要提醒您，注销后积分和优惠券将无法恢复。
A:我们已为您关闭营销短信。另外请您放心，已购商品的保修以订单和发票为准，不会因账户状态受影响。

== consult.account HOME
S:{level}生日礼券未收到
S:咨询{level}专属权益
D:客户是{level}，生日在本月，但没有收到生日礼券，询问礼券发放时间和使用规则。
D:客户询问{level}是否有免费清洗家电的权益，家里的{product}想预约清洗。
N:核实生日礼券发放情况；说明礼券使用规则
N:说明会员清洗权益；指导预约方式
P:经核实客户账户未填写生日信息，已协助补填，生日礼券将于24小时内补发。
P:已说明{level}每年可享1次免费家电清洗，并帮客户预约{date2}{time}上门。
I:客户资料不完整，建议提醒补充生日信息。
I:客户对会员清洗服务兴趣较高，可适时介绍延保服务。
C:好的，收到券了告诉我一声。
C:太好了，那天我在家。
A:经核实，您的账户暂未填写生日信息，我们已协助补充，生日礼券将在24小时内发放到您的账户。
A:您作为{level}每年可享受1次免费家电清洗服务，已为您预约{date2}{time}上门，师傅出发前会电话联系您。

== consult.order ALL
S:订单{order}何时发货
S:查询{product}发货时间
D:客户{date}下单的{product}（{model}），订单号{order}，至今仍显示“待发货”，询问预计什么时候能发出。
D:{cust}催问订单{order}的发货进度，称{date3}之前必须收到，因为要搬进{city}的新房。
N:查询订单{order}的发货进度；告知预计送达时间
N:确认能否在{date3}前送达；如不能需提供备选方案
P:经查订单{order}已在仓库拣货，预计{date2}发出，由{courier}配送，已告知客户。
P:已联系仓储部加急处理，订单{order}将于{date2}前出库，预计{date3}前送达，由仓储部{staff}跟进。
I:客户有明确的时间节点，请留意物流进度。
C:好的，发货了请短信通知我。
C:一定要在{date3}前送到，不然家里没人收。
A:您的订单{order}目前正在仓库拣货，预计{date2}发出，发货后物流信息会短信通知您。
A:我们已为您的订单申请加急处理，预计{date2}前出库、{date3}前送达，如有变化会第一时间告知您。

== consult.order ALL
S:修改订单{order}收货地址
S:申请更改收货地址
D:客户希望将订单{order}的收货地址由公司改为{city}{addr}，订单内商品为{product}。
D:客户下单时选错了地址，订单{order}的{product}应该送到{city}{addr}，询问现在还能不能改。
N:确认订单是否已出库；修改收货地址并同步配送方
P:订单尚未出库，已为客户修改收货地址，并同步仓储和配送部门。
P:订单已交由{courier}配送，已联系承运方改派至新地址，预计晚一天送达。
I:地址变更已二次核对，配送前请再次电话确认。
C:谢谢，新地址是对的。
C:晚一天没关系，能送到就行。
A:您的订单{order}收货地址已修改为{city}{addr}，请您核对。
A:订单已在配送途中，我们已联系{courier}为您改派至新地址，预计会比原计划晚一天送达，感谢您的理解。

== consult.order LARGE
S:{product}送货时间改约
S:{date2}家中无人，申请改期送货
D:客户原定{date2}送货的{product}（{model}），因临时出差家中无人，希望改到{date3}{time}送货，订单号{order}。
D:{cust}称{date2}小区停电检修，担心新{noun}送到后无法调试，想把送货日期推迟到{date3}。
N:将送货时间改约至{date3}；确认送装一体安排
P:已为客户将订单{order}改约至{date3}{time}送货，配送站会提前一天电话确认。
P:已通知配送站调整排期，送货和安装均改至{date3}，由配送调度{staff}跟进。
I:客户已改约一次，配送前务必电话确认。
C:好的，那天我全天都在家。
C:谢谢，麻烦师傅来之前打个电话。
A:已为您将送货时间改约至{date3}{time}，配送站会提前一天与您电话确认，请保持电话畅通。

== consult.order ALL
S:取消订单{order}
S:未发货订单申请取消
D:客户{date}下单购买了{product}（{model}），家里人已经买了同款，想取消尚未发货的订单{order}，询问退款多久到账。
D:客户表示订单{order}拍错了型号，想取消后重新下单，担心优惠券会失效。
N:取消订单{order}；说明退款到账时间
N:取消订单并重新下单；确认优惠券是否退回
P:已为客户取消订单{order}，退款{price}元将于1至3个工作日原路退回。
P:已取消订单，优惠券已退回客户账户，并指导客户重新下单正确型号{model}。
I:订单取消原因：重复购买。
I:订单取消原因：型号选错。
C:好的，钱到账了我再看一下。
C:券回来了，我重新下单了。
A:您的订单{order}已取消，退款{price}元将在1至3个工作日内原路退回，请留意到账信息。
A:订单已为您取消，优惠券已退回至您的账户，您可以直接重新下单{model}使用。

== consult.order ALL
S:{product}主机未到，只收到配件
S:订单分包裹发出，其中一个迟迟未到
D:客户订单{order}同时购买了{product}和配件，目前只收到配件，主机一直没有物流信息。
D:客户反映{date}的订单分成两个包裹发出，一个已签收，另一个{courier}单号{waybill}三天没有更新。
N:查询主机发货状态；告知预计送达时间
N:核查单号{waybill}的物流异常；必要时安排补发
P:经查主机由大件仓单独发货，预计{date2}送达，已告知客户。
P:已联系{courier}核查单号{waybill}，如{date2}前仍无更新，将为客户安排补发，由物流部{staff}跟进。
I:分仓发货容易引起误解，已向客户解释。
C:原来是分开发的，那我等着。
C:麻烦尽快查一下，我着急用。
A:您订单中的{product}由大件仓单独发货，预计{date2}送达，请您留意配送电话。
A:我们已联系{courier}核查单号{waybill}的物流情况，如{date2}前仍无更新，将为您安排补发，请您放心。

== consult.order ALL
S:{promo}预售尾款与发货时间
S:预售订单何时付尾款
D:客户参加{promo}预售，已支付{product}定金{deposit}元，询问尾款什么时候付、付完多久发货。
D:客户担心预售订单{order}错过尾款支付时间，询问定金是否还能退，能不能补付尾款。
N:告知尾款支付时间；说明发货时间
N:确认尾款支付期限；说明定金规则
P:已告知客户尾款支付时间为{date2}至{date3}，付完尾款后48小时内发货。
P:经查尾款支付期尚未结束，已提醒客户于{date2}前完成支付，逾期定金将不予退还。
I:客户容易错过尾款时间，已设置短信提醒。
C:好的，到时候提醒我一下。
C:还好没过期，我马上去付。
A:预售尾款支付时间为{date2}至{date3}，支付完成后48小时内发货，我们会在尾款开始支付时短信提醒您。
A:您的订单尾款支付期尚未结束，请在{date2}前完成支付即可正常发货。

== consult.usage SMART
S:{product}无法连接Wi-Fi
S:{model}配网失败求助
D:客户反映{product}（{model}）按说明书操作后一直无法连接家里的Wi-Fi，App提示“配网失败”。
D:客户刚买的{product}想用手机远程控制，不知道怎么添加设备，尝试了{n}次都没成功。
N:指导完成配网步骤；排查路由器频段设置
P:已远程指导客户将手机连接2.4GHz频段的Wi-Fi后重新配网，设备已成功上线。
P:已发送配网图文教程，并约定{date2}回访确认，由技术支持部{staff}跟进。
I:配网失败多与5GHz频段有关，可优先排查。
C:连上了，原来是频段的问题。
C:我晚上再试试，不行再找你们。
A:大部分配网失败与路由器频段有关，建议您将手机连接到2.4GHz的Wi-Fi后再添加设备。图文教程已发送至您的手机，如仍有问题，我们会在{date2}回访协助您。

== consult.usage HOME
S:{model}滤网多久清洗一次
S:{noun}用久了效果变差，是否需要深度清洗
D:客户询问{product}（{model}）日常清洁保养的方法，以及滤网或易损件多久需要清洗更换。
D:客户的{product}用了{years}年，感觉效果不如以前，想知道是否需要做深度清洁，云帆是否提供上门清洗服务。
N:说明日常清洁方法与周期；介绍上门清洗服务
P:已向客户说明{model}的日常清洁方法和易损件更换周期，并发送保养手册电子版。
P:已为客户介绍上门深度清洗服务，收费{fee}元，客户预约了{date2}{time}上门。
I:客户有清洗需求，可推荐会员免费清洗权益。
C:好的，我按手册来弄。
C:行，那天家里有人。
A:{model}的日常清洁方法和易损件更换周期已整理成保养手册发送给您，建议定期清洁，使用效果会更好。
A:已为您预约{date2}{time}的上门深度清洗，服务费用{fee}元，师傅上门前会提前电话联系您。

== consult.usage HOME
S:{product}显示{code}故障代码
S:{model}屏幕提示{code}怎么办
D:客户反映{product}（{model}）今天突然显示{code}代码，无法正常工作，想知道是什么意思，自己能不能处理。
D:{cust}称家里的{noun}开机后屏幕一直闪{code}，已经断电重启过一次还是不行。
N:解释{code}代码含义；指导客户自助排查，必要时安排维修
P:已指导客户断电5分钟后重启，并按说明书检查相关部件，故障代码已消除。
P:自助排查无效，已为客户转报修，维修师傅将于{date2}{time}上门检测，由售后服务部{staff}跟进。
I:{code}多为传感器或通讯异常，如重复出现建议上门检测主板。
C:重启之后好了，谢谢。
C:好的，那天我在家等师傅。
A:{code}代码通常表示设备检测到运行异常，建议您先断电5分钟后重新开机。如问题依旧，我们会为您安排师傅于{date2}{time}上门检测。

== consult.usage HOME
S:{noun}省电模式与定时设置
S:如何设置{model}的定时功能
D:客户觉得最近电费比较高，询问{product}（{model}）有没有省电模式，怎么设置定时开关机。
D:家里老人不会用{product}的遥控器和面板，{cust}想让客服教一下定时和常用模式的设置方法。
N:介绍省电模式；指导设置定时
N:讲解常用模式；提供适合老人观看的操作说明
P:已在电话中一步步指导客户开启省电模式并设置定时，客户已操作成功。
P:已将常用功能操作视频发送至客户手机，方便家中老人观看学习。
I:客户关注用电成本，可推荐节能型号和峰谷电使用建议。
I:家中老人使用，说明时请放慢语速。
C:学会了，谢谢你这么耐心。
C:视频收到了，我教给家里老人。
A:{model}支持省电模式和定时开关机，操作步骤已通过短信发送给您，如有不清楚的地方欢迎随时来电。

== consult.usage HOME
S:新{noun}首次使用注意事项
S:新{noun}有轻微塑料味是否正常
D:客户{date}收到{product}（{model}），询问首次使用前需要注意什么，是否需要静置一段时间再通电。
D:客户刚安装好{product}，发现有轻微的塑料味，询问是否正常，多久会散掉。
N:说明首次使用注意事项；解答异味问题
P:已告知客户首次使用前需仔细阅读说明书，部分大家电建议静置2小时后再通电。
P:已说明新机有轻微气味属正常现象，建议开窗通风并空载运行一次，如一周后仍明显可再联系。
I:已提醒客户阅读说明书中的首次使用章节。
I:如客户再次反映异味明显，请转质量投诉处理。
C:明白了，那我等两个小时再开。
C:好的，我先通风几天看看。
A:{product}首次使用前请先阅读说明书，部分大家电建议到货后静置2小时再通电，以保证运行稳定。
A:新机首次使用时有轻微气味属于正常现象，建议您开窗通风并空载运行一次；如一周后气味仍然明显，请随时联系我们，我们会安排专业人员上门检测。

== consult.usage HOME
S:{product}童锁如何开启
S:{model}童锁解除方法
D:客户家里有两岁的小孩，询问{product}（{model}）的童锁怎么开启，避免孩子误操作。
D:客户的{product}面板按键全部没有反应，怀疑是孩子误触开启了童锁，不知道如何解除。
N:指导开启或解除童锁；提醒日常安全使用
P:已指导客户长按指定按键3秒开启童锁，客户确认操作成功。
P:已指导客户解除童锁，面板恢复正常，无需维修。
I:按键无反应先排查童锁，避免不必要的上门。
C:可以了，这个功能很实用。
C:解开了，原来是这个原因，谢谢。
A:{model}的童锁开启和解除方法已通过短信发送给您，一般长按指定按键3秒即可切换，具体按键请以说明书为准。

== consult.usage DEVICE
S:新{noun}数据迁移求助
S:{model}连接外设和传输文件求助
D:客户{date}购买了{product}（{model}），想把旧设备上的照片和聊天记录迁移过来，不知道怎么操作。
D:客户询问{product}（{model}）如何连接蓝牙耳机和打印机，传输文件总是失败。
N:指导数据迁移或设备连接步骤；提醒备份重要数据
P:已指导客户使用系统自带的迁移工具完成数据导入，并提醒先备份重要资料。
P:已预约{store}的数码顾问于{date2}为客户提供一对一到店指导。
I:客户对数码产品不熟悉，建议推荐门店免费指导服务。
C:照片都过来了，谢谢。
C:好的，我{date2}去门店。
A:您可以使用系统自带的迁移工具将旧设备的数据导入{model}，操作前建议先备份重要资料。如需当面指导，也可以到{store}由数码顾问为您免费服务。

== complaint.attitude ALL
S:投诉客服态度差，通话中被挂断
S:对热线客服服务态度不满
D:客户{date}来电询问{product}维修进度，称接线客服语气不耐烦，多次打断他说话，还没说完就被挂断。客户非常气愤，要求查明当事人并道歉。
D:{cust}投诉：“我打了{n}次电话问订单{order}的事，你们客服一次比一次敷衍，最后直接让我自己去App上看，这是什么态度？”
N:核查{date}的通话录音；向客户正式道歉；答复客户原诉求
N:核实客服服务过程；处理当事人并回复客户；答复订单{order}的问题
P:已调取通话录音核实，当事客服确有不当，已安排班组长{staff}于今日向客户致电道歉，并同步告知维修进度，内部按质检规定处理。
P:已向客户致歉并当场查询订单{order}情况，录音核查结果将于{date2}前由质检组{staff}回复客户。
I:客户情绪激动，回访请由班组长以上人员处理，避免再次激化。
I:本投诉涉及服务态度，已提交质检复核，请勿直接转回原坐席。
C:道歉我接受，但希望你们真的整改，不要再有下次。
C:我等你们的核查结果，{date2}前要给我答复。
A:您反映的情况我们已调取录音进行核查，当事客服的服务确实没有做到位，我们会严肃处理并加强培训。您关心的维修进度，{staff}会在今天内与您电话沟通。
A:关于订单{order}的问题，我们已为您重新查询并安排专人跟进，录音核查结果将在{date2}前告知您。

== complaint.attitude INSTALL
S:安装师傅在家中抽烟还顶撞客户
S:投诉上门师傅态度恶劣
D:客户投诉{date}上门安装{product}的{tech}在家中抽烟，进门不穿鞋套，客户提醒后师傅反而顶撞说“我们都这样”。客户要求公司道歉，并不再派该师傅上门。
D:客户称维修师傅{tech}上门时一直催促，全程板着脸，客户多问两句就说“说了你也不懂”，让客户很不舒服。
N:向客户道歉；核查师傅行为并处理；后续更换服务人员
P:已向客户诚恳道歉，服务网点已对{tech}停工培训，后续该客户的服务由站长{staff}负责，并赠送{coupon}元服务券表达歉意。
P:已联系服务网点核实情况，网点负责人{staff}将于{date2}前上门致歉，并对当事师傅进行考核处理。
I:客户明确要求该师傅不得再次上门，请服务网点在派单系统中备注。
C:这样处理还可以，希望以后别再遇到。
C:上门道歉就不用了，电话说一声就行，以后别派他来。
A:对于上门服务人员的不当行为，我们深感抱歉。已要求服务网点对当事师傅进行处理，后续您的服务将由站长{staff}负责，不会再安排该师傅为您服务。

== complaint.attitude ALL
S:投诉{store}店员态度冷淡
S:门店销售人员服务态度差
D:客户{date}到{store}看{product}，询问了几个问题，店员一直低头玩手机，回答敷衍，还说“买不起就别问了”。客户觉得受到侮辱，要求门店道歉。
D:客户投诉在{store}退换{product}时被店员推来推去，等了一个多小时没人处理，最后还被告知“找客服去”。
N:核实门店服务情况；门店负责人向客户道歉；完善门店服务规范
P:已将投诉转至{store}店长{staff}，店长将于{date2}前致电客户道歉，并对当事店员进行处理。
P:已协调{store}店长{staff}当日为客户办理退换，并就等待时间过长向客户致歉。
I:门店服务类投诉，需店长在48小时内回电并反馈结果。
C:我不是非要追究谁，就是觉得太不尊重人了。
C:早这样处理不就好了，浪费我一下午。
A:您在门店遇到的情况，我们非常抱歉，也感谢您的反馈。{store}店长{staff}会在{date2}前与您联系并当面致歉，我们也会加强门店服务培训。

== complaint.attitude LARGE
S:送货员要求客户自行下楼搬货
S:投诉配送员态度恶劣
D:客户投诉{date}送{product}的送货员到了楼下打电话，让客户自己下楼搬，说“楼太高不送”，客户家住{floor}楼，有电梯。客户要求道歉并按约定送货入户。
D:客户反映{courier}的配送员语气很冲，客户只是问能不能晚半小时送，对方就说“不要就退回去”。
N:核查送货员服务行为；重新安排送货入户；向客户致歉
P:已联系配送站站长{staff}，重新安排{date2}{time}送货入户，并就送货员的行为向客户道歉。
P:已向{courier}提出投诉，要求对当事配送员进行处理，同时为客户改约至{date2}配送。
I:客户对配送服务意见很大，本单配送前请站长亲自确认。
C:行，那{date2}我在家等着，别再出问题了。
C:我就要一个道歉，其他没什么。
A:送货入户是我们的服务标准，送货员的做法给您带来了不便，我们深表歉意。已为您重新安排{date2}{time}送货入户，配送站站长{staff}会全程跟进。

== complaint.attitude ALL
S:多次来电无人回复，投诉处理拖延
S:承诺回电未兑现
D:客户称{date}反映{product}的问题时，客服答应24小时内回电，但三天过去了没有任何人联系，这已经是第{n}次来电，客户非常不满。
D:{cust}投诉：“每次打电话都说会有专人联系我，结果一个电话都没等到，你们到底有没有人在处理？”
N:查明回电未兑现的原因；指定专人跟进原问题；给出明确答复时间
P:已查明原工单流转遗漏，现由{staff}专人负责，{date2}前给客户明确处理结果，并每日同步进度。
P:已向客户致歉，并将工单升级为加急，当日下午5点前由{staff}回电说明处理进展。
I:客户第{n}次来电，已升级为加急工单，请务必按时回电。
C:好，这次我记下你们的名字了，{date2}见分晓。
C:下午5点前我等电话，再没人打我就去投诉了。
A:让您多次来电却没有得到回复，这是我们的工作失误，非常抱歉。您的问题现在由{staff}专人负责，我们会在{date2}前给您明确的处理结果，期间每天同步一次进展。

== complaint.attitude HOME
S:维修师傅强行推销延保
S:投诉上门人员乱推销收费项目
D:客户投诉维修师傅{tech}上门检修{product}时，反复推销延保和清洗套餐，客户拒绝后师傅态度明显变差，草草检查后就离开了。
D:客户反映师傅上门后说“不买延保以后坏了别找我们”，客户觉得这是变相强制消费。
N:核实上门人员推销行为；重新安排检修；向客户道歉
P:已联系服务网点核实，责令{tech}停止违规推销，并重新安排其他师傅于{date2}{time}上门检修，由网点负责人{staff}跟进。
P:已向客户致歉，说明延保完全自愿购买，不影响正常保修，并对服务网点进行通报。
I:推销行为违反服务规范，请服务管理部备案。
C:这次换个靠谱的师傅来。
C:知道不买也不影响保修就放心了。
A:延保服务完全由您自愿选择，是否购买都不会影响正常保修。对于师傅的不当推销，我们深表歉意，已为您重新安排{date2}{time}由其他师傅上门检修。

== complaint.business_error ALL
S:收到的{noun}型号与订单不符
S:发错货，要求尽快换回正确型号
D:客户订单{order}购买的是{product}（{model}），{date}收到后发现是别的型号，颜色和配置都不对。客户请了假在家等货，现在还要再等，要求尽快换货并给予补偿。
D:“我下单的明明是{model}，送来的东西包装上写的是另一个型号，你们仓库是怎么发货的？”
N:核实发货错误；尽快换发正确型号；就客户损失给予补偿
P:已核实为仓库拣货错误，已安排{date2}上门换货并回收错发商品，另补偿客户{coupon}元优惠券，由仓储部{staff}跟进。
P:已向客户致歉，正确型号已加急出库，预计{date2}送达，换货运费由我司承担。
I:仓库拣货差错，已通报仓储部整改。
C:补偿我接受，但{date2}一定要送到。
C:你们自己的问题，凭什么让我再等两天？
A:经核实确实是我们的发货失误，给您添了麻烦，非常抱歉。正确型号{model}已加急出库，预计{date2}送达，送货时会一并回收错发的商品，所有运费由我们承担。

== complaint.business_error ALL
S:订单{order}重复扣款
S:同一笔订单被扣了两次钱
D:客户反映订单{order}支付时页面卡住，重新支付后发现银行卡被扣款两次，每次{price}元，要求马上退回多扣的钱。
D:{cust}投诉购买{product}时被重复扣款{price}元，已经过去{days}天还没退回，影响了信用卡还款。
N:核实重复扣款；尽快退回多扣款项；说明到账时间
P:已核实存在重复支付，多扣的{price}元已发起退款，预计1至3个工作日原路退回，由财务部{staff}跟进。
P:已加急处理退款，并为客户开具说明函，便于客户向银行说明情况。
I:支付系统在高峰期存在重复扣款风险，已同步技术部。
C:钱到账之前我会一直盯着。
C:说明函发我邮箱吧。
A:经核实您的订单{order}确实存在重复扣款，多扣的{price}元已为您发起退款，预计1至3个工作日内原路退回。给您造成的困扰，我们深表歉意。

== complaint.business_error ALL
S:活动价未生效，多付了{diff}元
S:下单价格与宣传不符
D:客户{date}按{promo}宣传页下单{product}（{model}），页面显示活动价，但实际付款比宣传价多了{diff}元。客户认为是虚假宣传，要求退还差价并道歉。
D:客户投诉：“你们页面写着立减{diff}元，我付完钱才发现根本没减，这不是骗人吗？”
N:核实活动价格配置；退还差价{diff}元；向客户道歉
P:已核实为活动配置错误，差价{diff}元已于当日退回，同时向客户致歉，由营销部{staff}跟进整改。
P:已为客户申请退还差价并补偿{coupon}元优惠券，营销部将于{date2}前修正活动页面。
I:活动配置问题可能影响多位客户，请营销部排查同批订单。
C:差价退了就行，下次注意。
C:补偿券我收下了，但希望你们别再出这种错。
A:经核实，是活动价格配置出现了错误，导致您多付了{diff}元，我们已为您全额退还差价。对此我们深表歉意，也感谢您帮我们发现问题。

== complaint.business_error ALL
S:客服录错地址导致货物送错
S:修改信息出错，投诉业务差错
D:客户之前来电要求把订单{order}改送到{city}{addr}，结果客服录错了地址，{product}被送到了别的小区，客户跑了两趟都没拿到，要求给个说法。
D:{cust}投诉客服帮忙修改收货人电话时输错一位数字，导致送货员联系不上，订单{order}被退回仓库。
N:查明录入错误；尽快将商品送到正确地址；补偿客户损失
P:已找回商品并安排{date2}{time}重新配送至正确地址，客服录入差错已按规定处理，并补偿客户{coupon}元优惠券。
P:已更正收货信息并重新出库，预计{date2}送达，由客服组长{staff}全程跟进。
I:本单为内部操作差错，回访时请诚恳致歉。
C:最好{date2}能送到，我已经浪费太多时间了。
C:行吧，这次别再出错了。
A:由于我们修改信息时的失误，给您添了很多麻烦，我们真诚地向您道歉。商品已安排{date2}{time}重新配送，客服组长{staff}会全程跟进，直到您顺利收货。

== complaint.business_error ALL
S:退款金额不对，少退了{diff}元
S:退货退款少退钱
D:客户退货{product}后，只收到了部分退款，比实付金额少了{diff}元，客服此前没有说明会扣费，客户要求补退。
D:客户称订单{order}退款时被扣了“包装损耗费”{diff}元，事先没有任何告知，要求全额退款。
N:核实退款扣费依据；补退差额；向客户说明原因
P:经核实系统误扣了赠品折价，少退的{diff}元已补退，预计2个工作日到账，由财务部{staff}跟进。
P:经核实包装完好不应扣费，已撤销扣款并补退{diff}元。
I:退款扣费须提前告知客户，已提醒售后组。
C:补退了就好，下次扣钱之前先跟我说一声。
C:早就该退，害我打了好几次电话。
A:经核实，少退的{diff}元属于我们的处理差错，已为您补退，预计2个工作日内到账。给您带来不便，我们深表歉意。

== complaint.business_error ALL
S:消费后积分未到账
S:{level}双倍积分未生效
D:客户{date}购买{product}，实付{price}元，按规则应获得相应积分，但过了{days}天账户积分还没有变化，客服之前说会处理也没有下文。
D:客户投诉{level}权益中的双倍积分没有生效，订单{order}只给了普通积分。
N:核查积分未到账原因；补发积分；答复处理时限
P:经核实为订单同步异常，积分已手动补发至客户账户，由会员中心{staff}处理。
P:已确认双倍积分规则未生效，已补发差额积分，并向客户致歉。
I:积分同步异常，已报技术部排查是否批量存在。
C:积分看到了，谢谢。
C:补上就行，但你们系统问题也太多了。
A:您订单的积分已为您补发到账，可在App“会员中心”中查看。处理不及时给您带来不便，我们深表歉意。

== complaint.system_failure ALL
S:付款成功但订单显示未支付
S:App支付异常，已扣款订单未生效
D:客户{date}在App购买{product}（{model}），银行已经扣款{price}元，但订单{order}一直显示“待支付”，客户担心钱没了、货也没了。
D:{cust}投诉：“钱扣了，订单却说没付款，还提示订单即将关闭，你们系统到底怎么回事？”
N:核实支付状态；恢复订单或退款；给出处理时限
P:已核实支付成功但回调异常，技术部已手动同步订单状态，订单{order}已正常生效，由技术支持部{staff}跟进。
P:已为客户锁定订单和活动价格，支付状态将于今日内修复，如未修复则全额退款。
I:支付回调异常，同时段可能有其他订单受影响，已提交技术部排查。
C:订单状态正常了，下次别这样吓人。
C:今天之内一定要处理好，不然我就退款。
A:经核实，您的付款已经成功，是系统状态同步出现了异常，目前订单{order}已恢复正常，商品将按原计划发货。给您带来的担心，我们深表歉意。

== complaint.system_failure ALL
S:一直收不到验证码，无法登录
S:App登录异常，投诉系统问题
D:客户反映连续两天无法登录云帆电器App，验证码一直收不到，想查{product}的维修进度也查不了，非常影响使用。
D:客户称修改密码时系统反复提示“网络异常”，尝试了{n}次都失败，账户里还有未使用的优惠券快过期了。
N:排查验证码发送问题；协助客户恢复登录；处理即将过期的优惠券
P:经排查为短信通道异常，技术部已切换备用通道，客户已成功登录，由技术支持部{staff}跟进。
P:已为客户人工重置登录方式，并将即将过期的优惠券延期至{date3}。
I:短信通道问题已报技术部，请关注是否有同类投诉。
C:能登录了，谢谢，以后别再出问题。
C:登上了，券也延期了就好。
A:经排查，是短信发送通道出现了异常，现已修复，您可以正常登录。您账户中即将过期的优惠券，我们也已为您延期至{date3}。

== complaint.system_failure ALL
S:系统升级后优惠券消失
S:App升级后购物车和积分显示异常
D:客户称{date}领取的{coupon}元优惠券在App升级后不见了，准备下单{product}时才发现，要求恢复优惠券。
D:客户投诉App升级后购物车清空、优惠券和积分显示异常，耽误了{promo}下单。
N:核实优惠券状态；恢复或补发优惠券；向客户解释原因
P:已核实优惠券因系统升级显示异常，已补发同等面额优惠券，有效期至{date3}。
P:技术部已修复数据显示问题，客户账户的优惠券和积分已恢复正常，并额外补偿{coupon}元券。
I:版本升级引发的数据问题，需统计受影响用户。
C:券回来了，谢谢。
C:补偿收到了，下次升级前测试好再上线。
A:因为系统升级导致您的优惠券显示异常，非常抱歉。我们已为您补发同等面额的优惠券，有效期至{date3}，您可以放心使用。

== complaint.system_failure ALL
S:提交订单一直提示系统繁忙
S:{promo}期间无法下单，错过优惠
D:客户在{promo}开场时想抢购{product}（{model}），提交订单时一直提示“系统繁忙”，等恢复时活动价已经没有了，客户要求按活动价补单。
D:客户称结算页反复报错，尝试{n}次都没下单成功，浪费了一晚上时间，对云帆电器的系统很失望。
N:核实系统故障时段；按活动价为客户补单或给予补偿
P:经核实活动开场时系统确有拥堵，已按活动价为客户手工补单，订单号{order}，由营销部{staff}跟进。
P:已向客户致歉，并补偿{coupon}元无门槛优惠券，客户可在{date3}前使用。
I:大促期间系统拥堵，已纳入故障复盘。
C:能按活动价补单就行。
C:优惠券收到了，还算有诚意。
A:活动开场时系统出现拥堵，导致您无法正常下单，我们深表歉意。已按活动价格为您补单，订单号{order}，商品将正常发货。
A:结算页反复报错，耽误了您一晚上的时间，我们深表歉意。已为您补偿{coupon}元无门槛优惠券，可在{date3}前使用，技术部门也在排查报错原因。

== complaint.system_failure SMART
S:智能家居App无法控制设备
S:{product}在App中全部离线
D:客户投诉云帆智能家居App从{date}起无法控制家里的{product}，设备全部显示离线，重新配网也不行，客户买智能款就是为了远程控制。
D:{cust}称出差前想用App关闭家里的{noun}，结果App一直转圈，担心家里的设备一直开着。
N:确认服务器故障及修复时间；协助客户恢复设备控制
P:经核实为云服务故障，技术部已于当日修复，设备已恢复在线，由技术支持部{staff}回访确认。
P:已协助客户联系家人手动关闭设备，并告知服务恢复后将短信通知。
I:云服务故障期间的同类投诉请统一口径回复。
C:恢复了就好，希望别再出这种问题。
C:好的，恢复了告诉我。
A:由于云服务出现故障，您的设备暂时无法远程控制，我们深表歉意。目前服务已恢复，如设备仍显示离线，请重启设备后重试，我们也会在{date2}回访确认。

== complaint.system_failure HOME
S:在线预约维修成功但查不到工单
S:报修记录丢失，师傅没有上门
D:客户{date}在App上预约了{product}的维修，页面显示预约成功，但到了约定时间师傅没来，打电话询问才发现系统里根本没有工单。
D:客户投诉线上报修提交了两次都查不到记录，{noun}已经坏了{days}天，家里没法正常生活。
N:补建维修工单；优先安排上门；排查系统问题
P:已为客户补建维修工单并优先派单，师傅将于{date2}{time}上门，由售后服务部{staff}跟进。
P:已向客户致歉，工单已加急处理，服务网点将于今日内联系客户确认上门时间。
I:预约数据丢失问题已报技术部，请排查同日其他预约。
C:这次别再丢单了，{date2}我请假在家等。
C:今天一定要联系我。
A:由于系统原因您的预约没有生成工单，耽误了您的时间，非常抱歉。我们已为您补建工单并优先安排，师傅将于{date2}{time}上门。

== complaint.quality ALL
S:新买{days}天的{noun}就出现故障
S:{product}刚用就坏，要求退换
D:客户{date}购买的{product}（{model}）才用了{days}天就出现{fault}的问题，客户认为是质量问题，要求直接换新，不接受维修。
D:“花了{price}块钱买的{noun}，用了没几天就{fault}，你们卖的东西质量也太差了！”
N:安排检测确认故障；按三包规定办理换新；安抚客户情绪
P:已安排师傅{date2}上门检测，如确认为性能故障，将按三包规定直接换新，由售后服务部{staff}跟进。
P:已向客户致歉，经检测确认为质量问题，已办理换新，新机将于{date3}前送达。
I:购买时间在15天内，符合换货条件，请优先处理。
C:检测可以，但我不要修过的机器。
C:换新就行，希望这台别再出问题。
A:刚买不久的{noun}就出现故障，确实让人闹心，给您带来不便深表歉意。我们已安排师傅{date2}上门检测，如确认为性能故障，将按三包规定为您办理换新。

== complaint.quality ALL
S:{noun}维修{n}次仍未修好，要求换新
S:同一故障反复维修
D:客户的{product}（{model}）已经维修了{n}次，每次修好没多久又出现{fault}的问题，客户要求换新或退货，并赔偿多次请假的损失。
D:{cust}投诉：“同一个问题修了{n}次了，每次师傅都说好了，结果没几天又坏，我不想再修了。”
N:核查维修记录；按三包规定办理换新或退货；协商补偿
P:经核查维修记录，符合三包换货条件，已为客户办理换新，并补偿{coupon}元优惠券，由质量管理部{staff}跟进。
P:已升级为质量投诉，安排厂家技术专员{date2}上门鉴定，鉴定后三个工作日内给出换新或退货方案。
I:重复维修客户，情绪激动，处理时请注意沟通方式。
C:换新可以接受，补偿也算有诚意。
C:{date2}我等鉴定结果，别再拖了。
A:同一故障反复出现，让您多次请假等待维修，我们非常抱歉。经核查您的维修记录，已符合换货条件，我们将为您办理换新，新机送达时间会在{date2}前与您确认。

== complaint.quality HOME
S:{product}使用中冒烟，存在安全隐患
S:{noun}插头发烫变色，担心安全
D:客户投诉{product}（{model}）在使用中突然冒烟，有明显焦糊味，客户立即断了电。家里有老人小孩，客户非常害怕，要求公司给出说法并退货。
D:客户反映{noun}的插头和插座连接处发烫变色，怀疑产品存在安全问题，要求派人检测并赔偿。
N:提醒客户停止使用并断电；紧急安排上门检测；明确赔偿与退货方案
P:已提醒客户停止使用，并安排安全检测专员{date2}上门，检测期间提供备用机，由质量管理部{staff}负责，结果出来后48小时内给出处理方案。
P:已按安全类投诉加急处理，当日安排师傅上门取回样机送检，客户的退货申请已同步登记。
I:安全类投诉，最高优先级，请勿让客户继续使用设备。
C:你们重视就好，检测结果一定要给我看。
C:赶紧来人，我现在都不敢用电了。
A:您和家人的安全最重要，请您先保持设备断电、停止使用。我们已按最高优先级处理，安全检测专员将于{date2}上门，检测结果出来后48小时内会给您明确的处理方案。

== complaint.quality ALL
S:收到的{noun}外观有划痕和凹陷
S:{product}面板磕碰，要求换货
D:客户{date}收到{product}（{model}），开箱发现面板有明显划痕，侧面还有一处凹陷，送货师傅已经走了，客户要求换新。
D:客户投诉新买的{noun}外观有瑕疵，怀疑是样机或翻新机，要求说明情况并赔偿。
N:核实外观问题；办理换货；解答是否为翻新机的疑问
P:已请客户拍照上传，确认外观损伤属实，已安排{date2}上门换货，由售后服务部{staff}跟进。
P:已查询出库记录证明为全新机，外观损伤为运输导致，已为客户换新并致歉。
I:开箱验货类问题，已提醒配送人员加强开箱验机。
C:换新没问题，这次送货时我要当面验。
C:既然不是翻新机，换一台新的就行。
A:您收到的商品存在外观损伤，给您带来不好的开箱体验，非常抱歉。我们已为您安排{date2}上门换货，送货时师傅会与您一起当面开箱验机。

== complaint.quality HOME
S:宣传静音，实际噪音很大
S:{noun}实际效果与宣传不符
D:客户投诉{product}（{model}）宣传页写着“超静音”，实际运行噪音很大，晚上根本睡不着，客户认为涉嫌虚假宣传，要求退货。
D:客户称{product}宣传的功能实际无法使用，而且还出现{fault}的问题，要求退货退款并道歉。
N:上门检测噪音或功能是否达标；如不达标办理退货；向客户致歉
P:已安排技术人员{date2}携带检测设备上门测试，如数据不达标，直接办理退货退款，由质量管理部{staff}负责。
P:已向客户致歉并同意退货，退款{price}元将在商品取回后3个工作日内原路退回。
I:宣传用语问题已反馈营销部核查。
C:检测结果出来要第一时间告诉我。
C:同意退货就行，钱尽快退给我。
A:我们非常重视您反映的问题，已安排技术人员于{date2}上门进行专业检测，如检测结果与宣传不符，将直接为您办理退货退款。

== complaint.quality HOME
S:新{noun}有刺鼻异味，一直散不掉
S:{product}异味严重，担心有害
D:客户{date}购买的{product}（{model}）使用两周后仍有刺鼻的塑料味，家里有孕妇，客户担心对健康有影响，要求退货。
D:客户投诉{noun}每次运行都有很重的焦味，客服之前说是新机正常现象，但已经过了{days}天还是一样。
N:上门检测异味来源；根据检测结果办理退换；回应客户的健康担忧
P:已安排师傅{date2}上门检测，如异味属于产品问题，将为客户办理退货，由售后服务部{staff}跟进。
P:已将问题升级为质量投诉，由厂家技术人员上门检测，并先行提供备用机。
I:客户家有孕妇，对异味敏感，沟通时请耐心解释。
I:此前已按正常现象答复过客户，本次须上门实测，避免再次口头解释。
C:尽快检测吧，我不想再用这台了。
C:备用机收到了，检测结果出来告诉我。
A:了解到您家中有孕妇，您对异味的担心我们非常理解。我们已安排师傅{date2}上门检测异味来源，如确认为产品问题，将为您办理退货。
A:新机异味持续这么久，之前的答复没有解决您的问题，非常抱歉。我们已安排专业人员上门检测，并先为您提供备用机，检测结果出来后会第一时间告知您。

== complaint.delivery ALL
S:{product}超时{days}天未送达
S:配送严重延误，投诉物流
D:客户{date}下单的{product}（{model}），承诺3天内送达，现在已经超时{days}天，物流信息一直停在{city}分拨中心，客户多次催促无果，要求赔偿。
D:{cust}投诉：“说好{date2}送到，我请假等了一整天，结果没人来也没人通知，你们这样太不负责任了！”
N:查明延误原因；明确送达时间；就延误给予补偿
P:已协调物流部加急派送，预计{date3}前送达，由物流部{staff}跟进，并补偿客户{coupon}元优惠券。
P:已联系{courier}核实为分拨中心积压，已改为专车配送，{date3}上午送达，配送前电话联系客户。
I:延误投诉，客户请假等待，回访时注意安抚。
C:补偿我收下了，但{date3}必须送到。
C:这次再延误我就直接退货了。
A:您的订单配送严重延误，让您白白等待，我们深表歉意。已协调物流部加急派送，预计{date3}前送达，物流部{staff}会全程跟进。

== complaint.delivery ALL
S:收到{product}外包装破损、机身变形
S:{noun}运输途中磕碰，送货员要求先签收
D:客户{date}收到{product}，开箱发现外包装破损，机身一侧明显凹陷，怀疑运输中摔过，要求立即换新并追究物流责任。
D:客户称{courier}送来的{noun}箱子湿了一大片，拆开后发现有磕碰，送货员却要求先签收再说。
N:确认运输损坏；安排换新；追究物流责任
P:已请客户拍照留证，安排{date2}上门换新并回收损坏商品，运输损失由物流部向{courier}追责，由物流部{staff}跟进。
P:已告知客户有权拒收，已为客户办理换新，新机{date2}送达。
I:物流损坏，已向承运商发起索赔。
C:换新可以，送来的时候我要当面检查。
C:好，这次包装一定要弄好。
A:商品在运输过程中受损，是我们的责任，非常抱歉。已为您安排{date2}上门换新并回收受损商品，送货时师傅会与您当面开箱验机。

== complaint.delivery SMALL
S:物流显示已签收，实际未收到
S:快递单{waybill}被他人代签
D:客户反映订单{order}物流显示{date}已签收，但本人并未收到，也没有接到任何电话，物业和家人都说没有代收。
D:客户投诉{courier}快递员未经同意把{product}放在驿站，还显示本人签收，客户找了两天都没找到。
N:核查签收记录；找回商品或补发；处理快递员违规签收
P:已联系{courier}调取签收记录，48小时内找回商品或为客户补发，由物流部{staff}跟进。
P:已确认为快递员违规代签，已为客户补发新机，预计{date2}送达，并向承运方追责。
I:虚假签收，已向承运商提出违规处理。
C:48小时内没结果我就报警了。
C:补发就好，这次一定要本人签收。
A:商品显示已签收您却没有收到，我们非常理解您的着急。我们已要求{courier}调取签收记录，将在48小时内为您找回商品，如无法找回会立即为您补发。

== complaint.delivery LARGE
S:送货师傅额外收取搬运费
S:投诉送货上楼乱收费{fee}元
D:客户投诉送{product}的师傅到了楼下说没电梯要另收{fee}元搬运费，不给就不送上楼，客户被迫支付，要求退还并处理。
D:客户称配送人员以“超远距离”为由收取了{fee}元费用，但下单时写明免费送货入户。
N:核实收费情况；退还违规收取的{fee}元；处理配送人员
P:已核实为违规收费，由配送站当日退还客户{fee}元，并对当事人员处罚，由配送站站长{staff}跟进。
P:已向客户致歉并全额退还费用，同时说明我司送货入户不收取任何额外费用。
I:乱收费属于严重违规，已报物流部通报。
C:钱退回来就行，别再让别人遇到。
C:收到退款了，希望你们好好管管。
A:云帆电器送货入户不收取任何额外费用，配送人员的做法违反了我们的服务规定，非常抱歉。多收的{fee}元将在今天内退还给您，当事人员我们也会严肃处理。

== complaint.delivery LARGE
S:送货员到楼下才来电，限时不下楼就拉走
S:配送员未提前预约突然上门
D:客户称{date}送货员没有提前预约，到楼下才打电话，说十分钟内不下楼就拉回去，客户正在上班根本赶不回来，要求重新约定时间并道歉。
D:客户投诉配送员在{time}突然上门，家里只有老人，老人不会检查货物就被要求签收。
N:重新预约送货时间；对配送人员进行处理；向客户致歉
P:已为客户重新预约{date2}{time}送货，配送前一天电话确认，由配送站{staff}跟进。
P:已安排配送站站长回访致歉，并与客户约定{date2}再次上门为老人讲解并检查商品。
I:配送未提前预约，违反送货流程，已通报配送站。
C:{date2}我在家，记得提前打电话。
C:谢谢，这次有人给老人讲清楚就好。
A:送货前没有提前和您预约，给您带来了很大不便，我们深表歉意。已为您重新预约{date2}{time}送货，配送员会提前一天与您电话确认。

== complaint.delivery SMALL
S:快递丢件，{product}迟迟不到
S:{courier}丢失包裹，要求补发
D:客户订单{order}的{product}由{courier}承运，单号{waybill}，物流信息{days}天没有更新，快递公司说包裹可能丢了，客户要求尽快补发或退款。
D:客户投诉买的{noun}是送给父母的生日礼物，因为快递丢件错过了生日，非常失望。
N:确认丢件；补发或退款；酌情给予补偿
P:已确认包裹丢失，已为客户加急补发，预计{date2}送达，由物流部{staff}向{courier}索赔。
P:已为客户办理补发并补偿{coupon}元优惠券，对错过生日表示歉意。
I:丢件理赔由物流部负责，客服负责对客沟通。
C:补发可以，这次用靠谱的快递。
C:东西到了就好，但生日已经过了。
A:包裹在运输途中丢失，给您带来这么大的困扰，我们深表歉意。已为您加急补发，预计{date2}送达，丢件理赔由我们向承运方处理，您无需承担任何费用。

== after_sales.return SMALL
S:{product}申请7天无理由退货
S:收到{noun}不满意，想退货
D:客户{date}收到{product}（{model}），用了一下觉得不太适合，商品和包装都完好，申请7天无理由退货，订单号{order}。
D:{cust}称给父母买的{noun}他们用不惯，想在7天内退掉，询问退货运费谁出。
N:确认是否符合7天无理由退货条件；安排上门取件；说明退款时间
P:已确认符合7天无理由退货条件，已预约{courier}于{date2}上门取件，退款将在收到退货后3个工作日内原路退回。
P:已说明会员可享受退货运费险，客户无需承担运费，取件时间为{date2}{time}。
I:商品完好，无需检测，直接退货。
C:好的，我把包装准备好。
C:不用出运费就好，谢谢。
A:您的退货申请已审核通过，{courier}将于{date2}上门取件，请您提前准备好商品、配件和包装。退款会在我们收到退货后3个工作日内原路退回。

== after_sales.return ALL
S:{noun}颜色与装修不搭，申请换货
S:{product}规格选错，申请换货
D:客户购买的{product}（{model}）颜色与家里装修风格不搭，想换成另一种颜色，商品尚未拆封。
D:客户下单时选错了规格，订单{order}的{product}想换成高一档的型号，愿意补差价{diff}元。
N:确认换货条件；安排换货并处理差价
P:已为客户办理换货，新商品将于{date2}送达并同时取回原商品。
P:已为客户办理换货，补差价{diff}元已支付，换货商品{date2}送达，由售后服务部{staff}跟进。
I:商品未拆封，换货不影响二次销售。
C:好的，送新的时候把旧的带走。
C:差价已付，等新的到。
A:您的换货申请已经办理，新商品预计{date2}送达，送货时师傅会同时取回原商品，请您提前准备好原包装。

== after_sales.return ALL
S:15天内出现故障申请换货
S:{product}性能故障，要求换新
D:客户{date}购买的{product}（{model}），第{days}天出现{fault}的问题，符合15天换货条件，客户申请换新。
D:客户称新买的{noun}{fault}，不想维修，要求按三包规定换新机。
N:安排检测确认故障；出具检测单后办理换新
P:已安排师傅{date2}上门检测，确认性能故障后当场出具检测单，换新商品于{date3}前送达，由售后服务部{staff}跟进。
P:检测确认故障属实，已办理换新，新机已出库。
I:15天内性能故障，按三包规定换货，无需客户承担费用。
C:好的，检测完尽快换。
C:新机收到后我再确认一下。
A:您反映的情况属于15天内性能故障，可按三包规定为您换货。我们已安排师傅{date2}上门检测，确认后将尽快为您换新，预计{date3}前送达。

== after_sales.return LARGE
S:{noun}退货何时来取
S:原包装已丢，大件还能退吗
D:客户的{noun}退货申请已审核通过，但一直没有人联系上门取件，客户家里空间小，希望尽快拉走，订单号{order}。
D:客户询问退货的{product}需要自己打包吗，原包装箱已经扔了，还能不能退。
N:安排取件时间；说明包装要求
P:已协调配送站于{date2}{time}上门取件，由配送站{staff}负责，取件时师傅会负责打包。
P:已告知客户原包装缺失不影响退货，师傅上门时自带包装材料。
I:客户家中空间有限，请尽量按约定时间取件。
C:那就{date2}，师傅来之前打电话。
C:不用我打包就太好了。
A:已为您预约{date2}{time}上门取件，师傅会自带包装材料负责打包，您无需提前准备。

== after_sales.return ALL
S:{product}退货，赠品已使用
S:退货后优惠券能否退回
D:客户购买{product}时获赠了一套配件，现在主机要退货，但赠品已经拆封使用，询问是否必须退回赠品或折价。
D:客户在{promo}买的{noun}要退货，询问当时用的{coupon}元优惠券能否退回。
N:说明赠品退回规则；说明优惠券退回规则
P:已说明赠品需随主机一起退回，如已使用，将按赠品标价{diff}元从退款中扣除，客户表示理解。
P:已告知客户优惠券在有效期内会退回账户，过期则无法恢复。
I:赠品折价规则需提前说清楚，避免退款时产生纠纷。
C:扣{diff}元可以接受。
C:券还没过期，那就好。
A:退货时赠品需随商品一并退回，如赠品已使用，将按赠品标价从退款中扣除。您使用的优惠券如仍在有效期内，会在退款完成后退回您的账户。

== after_sales.return DIGITAL
S:已激活的{noun}能否退货
S:{model}拆封激活后申请退货
D:客户{date}购买了{product}（{model}），已经拆封激活，使用后觉得不符合预期，询问还能不能退。
D:客户称{product}的显示效果与宣传图片差距较大，已经激活使用了{days}天，申请退货。
N:说明已激活数码产品的退货政策；评估能否办理退换
P:已说明已激活数码产品不支持7天无理由退货，但经检测存在质量问题可办理退换，客户表示先送检。
P:已为客户预约{store}检测，检测无故障则可协商换购其他型号。
I:数码类激活后退货需检测，请在门店检测单中备注客户诉求。
C:好吧，我先送去检测一下。
C:行，{date2}我拿去门店。
A:已激活的数码产品暂不支持7天无理由退货，但如检测存在质量问题，可以为您办理退换。我们已为您预约{store}的检测服务，检测结果出来后会第一时间告知您。

== after_sales.repair ALL
S:{product}{fault}，申请维修
S:{model}报修
D:客户反映家里的{product}（{model}）出现{fault}的问题，购买于去年，仍在保修期内，申请上门维修，地址是{city}{addr}。
D:“我家{noun}最近{fault}，麻烦安排师傅来看看，什么时候能上门？”
N:登记故障并安排上门检修；确认保修状态
P:已为客户创建维修工单，维修师傅{tech}将于{date2}{time}上门，保修期内免费维修，由售后服务部{staff}跟进。
P:已派单至{city}服务网点，网点将于2小时内电话联系客户确认上门时间。
I:客户在保修期内，上门检测不收费。
C:好的，{date2}我在家等。
C:那我等电话。
A:您的维修工单已创建，{tech}将于{date2}{time}上门检修，您的{noun}仍在保修期内，维修不收取费用。师傅出发前会提前电话联系您。

== after_sales.repair HOME
S:{noun}已过保修期，询问维修费用
S:过保{product}维修收费咨询
D:客户的{product}使用了{years}年，现在出现{fault}的问题，已经过了保修期，询问上门维修要收多少钱，配件是否有报价单。
D:客户称师傅上门检修后报价{fee}元，觉得太贵，想确认收费标准是否合理。
N:说明过保维修收费标准；核实师傅报价是否合规
P:已向客户说明上门检测费和配件费的收费标准，并发送价目表，客户同意预约{date2}上门。
P:已核实师傅报价符合官方价目表，并为客户申请了会员维修9折优惠。
I:过保维修，收费前需客户确认报价单。
C:价目表收到了，就按这个来。
C:打了折还算合理，那就修吧。
A:过保维修按官方价目表收费，收费明细已发送至您的手机，维修前师傅会先出具报价单，经您确认后再进行维修。

== after_sales.repair SMALL
S:送修{days}天仍未修好，询问进度
S:{product}维修进度查询
D:客户{date}将{product}（{model}）送到{store}维修，已经过去{days}天，没有任何消息，询问维修进度。
D:客户寄修的{noun}维修单显示“待配件”，客户想知道配件什么时候到。
N:查询维修进度；告知预计修复时间
P:经查维修中心正在等待配件，预计{date2}到货，{date3}前完成维修并寄回，由维修中心{staff}跟进。
P:已催促维修中心加急处理，维修完成后短信通知客户到{store}取机。
I:维修周期较长，建议主动同步进度，避免客户反复来电。
C:好的，修好了通知我。
C:能不能先借我一台备用机用？
A:您送修的{product}目前正在等待配件，预计{date2}到货，{date3}前完成维修，修好后我们会第一时间通知您。

== after_sales.repair HOME
S:约好的维修师傅没有上门
S:{date}维修预约爽约
D:客户预约了{date}{time}维修{product}，请假在家等了一整天，师傅既没来也没打电话，客户很生气，要求尽快重新安排。
D:{cust}称维修师傅临时改约了两次，{noun}到现在还没修，家里没法正常使用。
N:核实爽约原因；优先重新安排上门；向客户致歉
P:已联系服务网点核实为派单遗漏，已重新安排师傅于{date2}{time}优先上门，由网点负责人{staff}跟进。
P:已向客户致歉，维修工单升级为加急，当日下午由网点主管电话确认上门时间。
I:爽约客户，需网点负责人亲自确认上门。
C:{date2}再不来我就投诉了。
C:等电话，希望这次靠谱。
A:约好的时间师傅没有上门，耽误了您一整天，我们非常抱歉。已为您优先安排{date2}{time}上门维修，网点负责人{staff}会亲自跟进。

== after_sales.repair DIGITAL
S:{product}寄修流程咨询
S:{model}申请寄修
D:客户的{product}（{model}）出现{fault}的问题，附近没有门店，询问如何寄修、运费谁出、维修要多久。
D:客户想把{noun}寄回维修，担心里面的资料泄露，询问是否需要恢复出厂设置。
N:说明寄修流程与时效；提醒数据备份
P:已为客户创建寄修单，{courier}将于{date2}上门取件，保修期内往返运费由我司承担，维修周期约5至7个工作日。
P:已提醒客户备份数据并退出账号，维修中心不会查看用户资料。
I:寄修设备请提醒客户取出SIM卡和存储卡。
C:好的，我先备份一下。
C:明白了，那就麻烦你们了。
A:已为您创建寄修单，{courier}将于{date2}上门取件，保修期内往返运费由我们承担。寄出前请您备份重要数据并取出存储卡，维修周期约5至7个工作日。

== after_sales.repair HOME
S:维修配件缺货，等待时间过长
S:{product}维修等配件
D:客户的{product}（{model}）维修时发现需要更换主板，师傅说配件缺货，要等{days}天，客户觉得太久，询问有没有其他办法。
D:客户的{noun}因{fault}需要换配件，已经等了一周，每天都没法正常使用。
N:核实配件到货时间；提供临时解决方案
P:已向配件中心加急调货，预计{date2}到货，在此期间为客户提供备用机，由售后服务部{staff}跟进。
P:配件短期无法到货，经申请已为客户办理以换代修，新机{date3}前送达。
I:配件缺货超过15天可按规定办理以换代修。
C:有备用机就好，配件到了尽快来修。
C:换新当然好，谢谢你们帮忙申请。
A:配件暂时缺货给您带来了不便，非常抱歉。我们已加急调货，预计{date2}到货，等待期间为您提供备用机，配件到后会第一时间安排师傅上门。

== after_sales.refund ALL
S:退货已签收{days}天，退款未到账
S:订单{order}退款进度查询
D:客户的{product}退货已于{date}被仓库签收，到今天已经{days}天，退款{price}元还没有到账，客户多次查询都说“处理中”。
D:客户询问订单{order}的退款什么时候到账，页面显示退款成功但银行卡里看不到钱。
N:查询退款进度；说明到账时间；必要时提供退款凭证
P:经查退款已于{date2}原路退回，因银行处理需1至5个工作日，已向客户提供退款流水号。
P:已催促财务部加急处理，退款将于{date2}前到账，由财务部{staff}跟进。
I:退款显示成功但未到账，多为银行处理时间，请提供流水号给客户。
C:收到流水号了，我去银行问问。
C:{date2}前没到账我再打电话。
A:您的退款{price}元我们已为您查询，目前正在由财务部门加急处理，预计{date2}前到账。如届时仍未到账，请随时联系我们，我们会提供退款凭证协助您向银行查询。

== after_sales.refund ALL
S:原支付银行卡已注销，退款如何处理
S:退款无法退回原账户
D:客户退货{product}后，原来付款的银行卡已经注销，退款{price}元退不回去，询问能否改退到其他账户。
D:{cust}称付款用的是家人的账户，现在想把退款打到自己的卡上。
N:核实原账户状态；办理退款账户变更或说明原路退回规则
P:已核实原卡退款失败，已请客户提供本人新卡信息及身份证明，由财务部{staff}于{date2}前完成线下退款。
P:已说明出于资金安全退款只能原路退回，客户同意由家人接收。
I:更改退款账户需严格核验身份，避免资金风险。
C:资料我今天发过去。
C:好吧，那就退回原账户。
A:由于原支付账户已注销，我们需要为您办理线下退款，请您提供本人银行卡信息及身份证明，我们会在{date2}前完成退款。
A:为保障资金安全，退款只能原路退回付款账户，给您带来不便还请谅解。

== after_sales.refund ALL
S:价保差价退款未到账
S:申请价保退差价{diff}元
D:客户{date}购买{product}，后来降价{diff}元，已经申请了价保，但{days}天了差价还没退。
D:客户称同一件{noun}在{store}比App便宜了{diff}元，要求退差价，订单号{order}。
N:查询价保申请状态；确认差价退回时间
P:已核实价保申请审核通过，差价{diff}元将于{date2}前原路退回。
P:已说明门店与线上价格体系独立，线上订单的价保按App价格为准，并为客户申请了{coupon}元补偿券。
I:线上线下价差问题较多，建议统一解释口径。
C:好的，等退款。
C:补偿券收下了。
A:您的价保申请已审核通过，差价{diff}元将于{date2}前原路退回，请您留意到账信息。
A:门店与线上的价格体系相互独立，线上订单的价保以App价格为准。我们为您申请了{coupon}元补偿券，已发放到您的账户。

== after_sales.refund ALL
S:{product}少发{acc}，协商补偿
S:外观轻微瑕疵，申请部分退款
D:客户收到的{product}（{model}）缺少{acc}，不想退货，希望部分退款{diff}元作为补偿。
D:客户的{noun}外观有轻微划痕，不影响使用，客户愿意保留，但要求部分退款。
N:核实缺件或瑕疵情况；协商部分退款金额
P:已核实缺件属实，已补寄{acc}并部分退款{diff}元，预计2个工作日到账。
P:经与客户协商，同意部分退款{diff}元，客户保留商品，由售后服务部{staff}办理。
I:部分退款金额已与客户确认，无需再次回访。
C:配件收到后我确认一下。
C:这个金额可以接受。
A:经与您协商，我们将为您办理部分退款{diff}元，预计2个工作日内原路退回。

== after_sales.refund ALL
S:分期付款订单退款如何处理
S:分期手续费能否退回
D:客户用信用卡分{periods}期购买了{product}，现在退货了，询问已经还的分期款和手续费怎么退。
D:客户取消订单{order}后，银行仍在按月扣分期款，客户非常担心影响信用。
N:说明分期订单退款规则；核实银行分期取消情况
P:已说明退款会退回信用卡，由银行取消剩余分期，免息分期无手续费损失。
P:已联系支付渠道核实，分期已于{date2}撤销，后续不会再扣款，由财务部{staff}跟进。
I:分期退款涉及银行处理，需提醒客户联系发卡行确认。
C:明白了，我再打银行电话确认一下。
C:不再扣款就放心了。
A:分期订单退款会原路退回您的信用卡，剩余分期由银行自动取消，建议您同时联系发卡行确认账单情况。

== after_sales.refund ALL
S:预售定金能否退还
S:{promo}定金退款申请
D:客户在{promo}支付了{product}定金{deposit}元，后来不想买了，询问定金能不能退。
D:客户的预售订单{order}因缺货无法发货，要求退还定金{deposit}元并给予补偿。
N:说明定金规则；办理定金退款或补偿
P:已说明未付尾款前定金可申请退还，已为客户提交退款，预计3个工作日到账。
P:因我方缺货导致无法发货，已全额退还定金并补偿{coupon}元优惠券。
I:缺货导致的定金退款需额外补偿，已按规定处理。
C:好的，谢谢。
C:补偿还算合理。
A:您的定金退款已提交，预计3个工作日内原路退回，请您留意到账信息。
A:因我们缺货导致订单无法发货，非常抱歉。定金{deposit}元已全额退回，另为您补偿{coupon}元优惠券，已发放到您的账户。

== after_sales.installation INSTALL
S:预约{product}上门安装
S:{model}安装时间预约
D:客户{date}收到{product}（{model}），申请上门安装，希望{date2}{time}安装，地址是{city}{addr}。
D:“我买的{noun}已经到了，什么时候能来装？最好这周末，平时家里没人。”
N:确认安装时间为{date2}{time}；提醒安装所需条件
N:预约周末安装；确认是否需要{extra}
P:已为客户预约{date2}{time}安装，安装师傅{tech}会提前一天电话确认，由安装调度中心{staff}跟进。
P:已预约{date2}上门安装，并提醒客户提前准备好电源和安装位置，{extra}由师傅携带，按标准收费。
I:客户要求周末安装，已优先排期。
C:好的，那天我在家。
C:辅材费大概多少？
A:已为您预约{date2}{time}上门安装，安装师傅{tech}会提前一天与您电话确认。如需{extra}，师傅可现场提供，费用按官方标准收取。

== after_sales.installation INSTALL
S:{noun}安装改约
S:申请修改安装时间
D:客户原定{date2}安装{product}，因为家里装修进度延后，想把安装时间改到{date3}。
D:{cust}称{date2}临时要出差，希望安装师傅改到晚上或{date3}上门。
N:修改安装时间至{date3}；确认师傅排期
P:已为客户改约至{date3}{time}安装，并通知安装师傅{tech}，由安装调度中心{staff}跟进。
P:晚间暂无排期，已为客户改约至{date3}{time}。
I:安装改约一次，已通知服务网点。
C:好的，{date3}可以。
C:晚上不行就{date3}吧。
A:已为您将安装时间改约至{date3}{time}，安装师傅会提前一天与您电话确认。

== after_sales.installation INSTALL
S:安装{noun}额外收费{fee}元是否合理
S:安装后收取材料费未开单据
D:客户安装{product}（{model}）时，师傅说需要{extra}，要另外收费{fee}元，客户想确认收费是否合理。
D:客户称安装完成后师傅收了{fee}元材料费，没有给收费单据，怀疑多收费。
N:核实辅材收费标准；确认是否存在多收费
P:已核实{extra}的收费符合官方价目表，已将价目表发送给客户。
P:经核实师傅多收了部分费用，已责令网点退还差额，并补开收费单据，由安装调度中心{staff}跟进。
I:辅材收费需出具单据，已提醒服务网点。
C:符合标准就行。
C:退回来就好，下次要给单子。
A:安装辅材按官方价目表收费，价目表已发送到您的手机，您可以对照核实。如有多收费情况，我们会为您全额退还差额。

== after_sales.installation AC
S:{floor}楼空调外机需高空作业
S:物业指定外机位置，担心影响制冷
D:客户家住{floor}楼，{product}（{model}）的外机要装在外墙，没有空调板，询问能否安装、是否需要高空作业费。
D:客户所在小区物业要求空调外机统一安装在指定位置，需要加长铜管，客户担心影响制冷效果。
N:评估外机安装位置；说明高空作业费用与安全措施
P:已安排师傅{date2}先上门勘察，确认安装方案后再报价，高空作业由持证师傅操作，由安装调度中心{staff}跟进。
P:已说明加长铜管在规定长度内对制冷影响较小，并为客户登记{extra}。
I:高空作业须持证上岗，请网点确认安装人员资质。
C:先来看看再说吧。
C:好的，那就按物业要求装。
A:为保障安装安全，我们会先安排师傅于{date2}上门勘察，确认方案后再为您报价，高空作业将由持证师傅操作。

== after_sales.installation INSTALL
S:搬家{noun}移机服务
S:{product}拆装移机预约
D:客户从{city}的老房搬到新家，家里的{product}（{model}）需要拆下来移到新房重新安装，询问移机收费标准和预约方式。
D:客户想把客厅的{noun}移到卧室，询问能否上门拆装，需要多少钱。
N:说明移机收费标准；预约拆机和安装时间
P:已为客户预约{date2}拆机、{date3}在新房安装，移机费用{fee}元，由安装调度中心{staff}跟进。
P:已说明室内移机收费标准，客户预约{date2}{time}上门。
I:移机需客户自行负责搬运，已提前告知。
C:好的，新房{date3}可以安装。
C:价格可以接受。
A:已为您预约{date2}上门拆机、{date3}在新家安装，移机服务费用为{fee}元，具体以师傅现场确认为准。

== after_sales.installation INSTALL
S:安装不规范导致{fault}
S:安装时墙面被打坏，{noun}装歪
D:客户的{product}{date}刚安装好，当天就出现{fault}的问题，客户认为是安装不规范导致的，要求师傅回来返工。
D:客户反映安装师傅走后发现墙面被打坏，{noun}也装歪了，要求重新安装并修补墙面。
N:安排返工检查；确认故障是否由安装导致
N:安排重新安装；处理墙面修补
P:已安排原安装师傅{date2}{time}上门返工检查，如属安装问题免费处理，由安装调度中心{staff}跟进。
P:已向客户致歉，安排其他师傅{date2}重新安装，墙面修补费用由服务网点承担。
I:安装质量问题，请质检人员抽查该师傅近期工单。
C:返工可以，希望一次弄好。
C:墙面一定要补好。
A:安装后出现问题给您添麻烦了，非常抱歉。我们已安排师傅{date2}{time}上门检查并返工，如属安装原因，所有费用由我们承担。

== after_sales.invoice ALL
S:企业采购{qty}台{noun}需要专票
S:个人订单能否改开公司专票
D:客户代表{company}采购了{qty}台{product}，需要开具增值税专用发票，已提供税号{taxid}和开户行信息。
D:客户询问个人下单的订单{order}能否改开公司抬头的专用发票。
N:核对开票信息；开具专票并寄出
N:说明专票开具条件；指导补充资料
P:已核对开票信息无误，专票将于{date2}前开具，通过{courier}寄出，由财务部{staff}跟进。
P:已说明专票需使用企业账户付款或提供采购证明，客户补充资料后3个工作日内开具。
I:专票信息需仔细核对，错开后需作废重开，流程较长。
C:好的，寄到我们公司前台。
C:资料我明天补上。
A:您的增值税专用发票将在{date2}前开具，开具后通过{courier}寄出，届时会将单号短信发送给您。
A:个人账户付款的订单开具专票，需要补充企业采购证明，资料提交后我们会在3个工作日内为您开具。

== after_sales.invoice ALL
S:电子发票未收到
S:订单{order}发票在哪里下载
D:客户{date}购买的{product}已经确认收货，但一直没有收到电子发票，报销急用。
D:客户说发票邮件可能被当成垃圾邮件删了，想重新获取订单{order}的电子发票。
N:查询发票开具状态；重新发送电子发票
P:发票尚未开具，已催促财务部当日开具，由财务部{staff}跟进。
P:已查询发票已开具，已重新发送至客户预留邮箱，并告知可在App“订单详情”中下载。
I:客户报销急用，请优先处理。
C:今天能开好就行。
C:收到了，谢谢。
A:您的电子发票正在加急开具，今天内会发送至您的预留邮箱，开具后也可在App“订单详情”中下载。
A:您的电子发票已重新发送至预留邮箱，您也可以在App“订单详情”中随时下载。

== after_sales.invoice ALL
S:个人抬头改为公司抬头
S:发票税号有误，申请重开
D:客户订单{order}的发票抬头开成了个人，需要改为“{company}”，税号{taxid}，用于公司报销。
D:客户发现{product}发票上的税号少了一位，申请作废重开，订单号{order}。
N:核对新的开票信息；作废原发票并重开
P:已作废原发票并按新信息重开，电子发票将于{date2}前发送至客户邮箱。
P:已核对税号并重开发票，由财务部{staff}跟进。
I:重开发票需客户确认信息，已二次核对。
C:好的，这次信息没问题。
C:谢谢，麻烦尽快。
A:已为您作废原发票并按新的抬头信息重新开具，电子发票将在{date2}前发送到您的邮箱。
A:已为您作废原发票并按正确的税号重新开具，新发票将在{date2}前发送到您的邮箱。

== after_sales.invoice ALL
S:部分退货后发票如何处理
S:退货后需重开发票
D:客户订单{order}购买了{product}等多件商品，其中一件已退货，询问原来的发票要不要退回，剩下的商品怎么开票。
D:客户的公司报销要求发票金额与实付一致，订单{order}部分退货后发票金额对不上。
N:说明部分退货后的发票处理；重开剩余商品发票
P:已为客户红冲原发票，并按剩余商品金额重新开具，{date2}前发送至邮箱。
P:已告知客户纸质发票需寄回，收到后3个工作日内重开，由财务部{staff}跟进。
I:部分退货的发票需红冲后重开。
C:好的，我等新发票。
C:发票今天就寄。
A:部分退货后，我们会将原发票红冲，并按实际金额为您重新开具，新发票将在{date2}前发送到您的邮箱。

== after_sales.invoice ALL
S:发票丢失是否影响保修
S:{noun}保修需要发票，原件丢了
D:客户的{product}需要保修，但纸质发票找不到了，询问能否补开或者用其他凭证代替。
D:客户{years}年前买的{noun}要维修，师傅要求出示发票，客户只有订单截图。
N:说明保修凭证要求；提供发票补打或购买证明
P:已告知客户可在App补打电子发票，订单记录同样可作为保修凭证。
P:已为客户开具购买证明并发送至客户手机，供维修时出示。
I:线上订单可直接查询，无需客户提供纸质发票。
C:那太好了，我去App下载。
C:证明收到了，谢谢。
A:线上订单的购买记录可以作为保修凭证，电子发票也可在App中随时下载补打，请您放心。

== after_sales.invoice ALL
S:多笔订单合并开票
S:申请合并开具一张发票
D:客户{date}前后在云帆电器下了{n}笔订单，包括{product}等，公司报销要求一张发票，询问能否合并开具。
D:客户询问{promo}期间买的多件商品能否开在一张发票上，抬头为“{company}”。
N:确认能否合并开票；核对开票信息
P:已为客户合并开具发票，{date2}前发送至邮箱，由财务部{staff}跟进。
P:已说明同一抬头的订单可以合并开具，客户已提交申请。
I:合并开票需所有订单确认收货后才可开具。
C:好的，等发票。
C:谢谢，省了很多事。
A:您的多笔订单已为您合并开具发票，将在{date2}前发送至您的邮箱，请注意查收。
"""


@dataclass(frozen=True, slots=True)
class _Scenario:
    code: str
    pool: tuple[_Product, ...]
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    needs: tuple[str, ...]
    solutions: tuple[str, ...]
    notes: tuple[str, ...]
    replies: tuple[str, ...]
    agent_bodies: tuple[str, ...]


_FIELD_KEYS = ("S", "D", "N", "P", "I", "C", "A")


def _number_items(text: str) -> str:
    """Turn ``"甲；乙"`` into ``"1. 甲；2. 乙"``."""
    return "；".join(f"{i}. {item}" for i, item in enumerate(text.split("；"), start=1))


def _parse_scenarios(text: str) -> dict[str, tuple[_Scenario, ...]]:
    result: dict[str, list[_Scenario]] = {}
    header: tuple[str, str] | None = None
    fields: dict[str, list[str]] = {}

    def flush() -> None:
        if header is None:
            return
        code, pool = header
        missing = [key for key in _FIELD_KEYS if not fields.get(key)]
        if missing:
            raise RuntimeError(f"scenario for {code} lacks fields {missing}")
        scenario = _Scenario(
            code=code,
            pool=_POOLS[pool],
            subjects=tuple(fields["S"]),
            descriptions=tuple(fields["D"]),
            needs=tuple(_number_items(item) for item in fields["N"]),
            solutions=tuple(fields["P"]),
            notes=tuple(fields["I"]),
            replies=tuple(fields["C"]),
            agent_bodies=tuple(fields["A"]),
        )
        result.setdefault(code, []).append(scenario)

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("=="):
            flush()
            code, pool = line[2:].split()
            header = (code, pool)
            fields = {}
            continue
        key, _, value = line.partition(":")
        if key not in _FIELD_KEYS or not value:
            raise RuntimeError(f"malformed scenario line: {line!r}")
        fields.setdefault(key, []).append(value)
    flush()
    return {code: tuple(items) for code, items in result.items()}


_SCENARIOS: dict[str, tuple[_Scenario, ...]] = _parse_scenarios(_SCENARIO_TEXT)

# --------------------------------------------------------------------------------------
# Per-root shared pools
# --------------------------------------------------------------------------------------

_ROOT_OF: dict[str, str] = {
    child: root for root, children in CATEGORY_CODES.items() for child in children
}

_GREETINGS = _split("{cust}您好，|尊敬的{cust}，您好！|您好，{cust}！|{name}您好，")
# Complaint bodies already apologise, so the complaint openers acknowledge instead of apologising.
_EMPATHY: dict[str, tuple[str, ...]] = {
    "consult": _split("感谢您的咨询。|感谢您对云帆电器的信任。|很高兴为您服务。|"),
    "complaint": _split(
        "非常理解您现在的心情。|感谢您把问题告诉我们，我们会认真对待。|"
        "您反映的问题我们已高度重视。|"
    ),
    "after_sales": _split(
        "感谢您的耐心等待。|您的需求我们已经收到。|非常理解您希望尽快处理的心情。|"
    ),
}
_CLOSINGS: dict[str, tuple[str, ...]] = {
    "consult": _split(
        "如有其他疑问，欢迎随时联系我们。|祝您生活愉快！|"
        "如需帮助，您可以随时在App内联系在线客服或拨打客服热线。"
    ),
    "complaint": _split(
        "后续有任何进展，我们会第一时间通知您。|我们会持续跟进，直至问题妥善解决，感谢您的耐心。|"
        "如对处理结果仍有疑问，欢迎随时联系我们。|再次感谢您的理解。"
    ),
    "after_sales": _split(
        "后续有任何进展，我们会第一时间通知您。|如有其他疑问，欢迎随时联系我们。|"
        "感谢您的理解与支持，祝您生活愉快！|如需帮助，您可以随时在App内联系在线客服或拨打客服热线。"
    ),
}
_FEEDBACK: dict[str, tuple[str, ...]] = {
    "consult": _split(
        "客户表示满意|客户表示清楚了，暂无其他疑问|客户表示会再考虑一下|客户对答复基本满意|"
        "客户表示稍后自行在App上操作|客户表示满意，感谢耐心解答||"
    ),
    "complaint": _split(
        "客户仍不满意，要求补偿|客户接受道歉，同意处理方案|客户情绪有所缓和，等待后续处理结果|"
        "客户表示如{date3}前仍未解决，将向消费者协会投诉|客户要求主管回电|"
        "客户接受{coupon}元补偿券，表示认可|客户认可处理方案，但要求书面道歉|"
    ),
    "after_sales": _split(
        "客户表示满意|客户同意处理方案，等待上门|客户认可处理时效|客户希望尽快处理，暂无异议|"
        "客户对处理结果基本满意，但希望缩短等待时间||"
    ),
}
_PREFERENCES: tuple[str, ...] = (
    _split(
        "工作日晚上7点后联系|只接受短信通知|请优先通过微信联系|上午不方便接电话|"
        "希望由同一位客服全程跟进|请勿在12点至14点午休时间来电|周末全天可以联系|"
        "回访请联系其家属|处理结果请发送至邮箱|来电前请先发短信告知"
    )
    + ("",) * 14
)
_CONTACT_REQUIREMENTS = _split(
    "客户听力不好，沟通时请放慢语速|客户为听障人士，请通过短信或在线文字沟通|"
    "客户不识字，重要信息请电话口头告知|客户只会说方言，必要时请转方言坐席"
)
_VISIT_REQUIREMENTS = _split(
    "家中有老人，需提前电话预约|小区需登记，师傅到达前请联系门卫|"
    "家中有婴儿，上门请勿按门铃，到门口后电话联系|需开具上门服务收费单据|"
    "上门请穿鞋套，注意保护木地板|楼道较窄，大件需拆除外包装后搬运|"
    "客户希望由女性工作人员上门|家中养有宠物狗，上门前请提前告知|仅周末可以上门"
)
# Consult tickets rarely involve a home visit, so they only get contact-related requirements.
_SPECIAL_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "consult": _CONTACT_REQUIREMENTS + ("",) * 24,
    "complaint": _CONTACT_REQUIREMENTS + _VISIT_REQUIREMENTS + ("",) * 22,
    "after_sales": _CONTACT_REQUIREMENTS + _VISIT_REQUIREMENTS + ("",) * 16,
}

# --------------------------------------------------------------------------------------
# Tickets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketText:
    """The Chinese text fields of one demo ticket."""

    subject: str
    """Short ticket subject, at most :data:`SUBJECT_MAX_LENGTH` characters."""
    description: str
    """Problem description in the customer's words or the agent's summary."""
    need_points: str
    """The agent's numbered restatement of the customer's core needs (HND-1, HND-10)."""
    preferences: str
    """Contact or handling preference of the customer; often empty."""
    special_requirements: str
    """Special circumstances to respect; often empty."""
    solution: str
    """What the center did or promised, with a time node and owner where natural (HND-4)."""
    customer_feedback: str
    """How the customer reacted to the solution; may be empty."""
    internal_note: str
    """A note for colleagues, never shown to the customer."""
    customer_reply: str
    """A follow-up message written by the customer."""
    agent_reply: str
    """A polite public reply: greeting, empathy, concrete commitment, closing."""


def ticket_text(
    rng: random.Random, category_code: str, customer_name: str, *, around: dt.date | None = None
) -> TicketText:
    """Generate the text of one ticket in the child category ``category_code``.

    Args:
        rng: source of randomness; the result depends only on its state and the arguments.
        category_code: one of the child codes in :data:`CATEGORY_CODES`, e.g.
            ``"after_sales.installation"``.
        customer_name: the customer's full name, used for salutations.
        around: the ticket's creation date; dates in the text (order, visit, promised dates)
            fall a few days before and after it. Without it they are anywhere in the year.

    Raises:
        ValueError: if ``category_code`` is not a known child category.
    """
    scenarios = _SCENARIOS.get(category_code)
    if scenarios is None:
        raise ValueError(f"unknown child category code: {category_code!r}")
    root = _ROOT_OF[category_code]
    rand = rng.random
    scenario = scenarios[int(rand() * len(scenarios))]
    pool = scenario.pool
    product = pool[int(rand() * len(pool))]

    slots = _Slots(
        name=customer_name,
        product=product.title,
        model=product.model,
        noun=product.noun,
    )
    slots.rand = rand
    slots.day = -1
    if around is not None:
        # The order or visit date lies one to five days before the ticket was opened.
        day_index = around.timetuple().tm_yday - 2 - int(rand() * 5)
        slots.day = min(max(day_index, 0), _DAY_SPAN - 1)

    slots.product = product

    # Fields with as many variants as the description are written to match it line by line;
    # the others are free alternatives.
    variant = int(rand() * len(scenario.descriptions))
    count = len(scenario.descriptions)

    def choose(options: tuple[str, ...]) -> str:
        if len(options) == count:
            return options[variant]
        return options[int(rand() * len(options))]

    subject = choose(scenario.subjects).format_map(slots)
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[:SUBJECT_MAX_LENGTH]
    description = scenario.descriptions[variant].format_map(slots)
    need_points = choose(scenario.needs).format_map(slots)
    solution = choose(scenario.solutions).format_map(slots)
    internal_note = choose(scenario.notes).format_map(slots)
    customer_reply = choose(scenario.replies).format_map(slots)
    agent_template = (
        _pick(rand, _GREETINGS)
        + _pick(rand, _EMPATHY[root])
        + choose(scenario.agent_bodies)
        + _pick(rand, _CLOSINGS[root])
    )
    return TicketText(
        subject=subject,
        description=description,
        need_points=need_points,
        preferences=_pick(rand, _PREFERENCES),
        special_requirements=_pick(rand, _SPECIAL_REQUIREMENTS[root]),
        solution=solution,
        customer_feedback=_pick(rand, _FEEDBACK[root]).format_map(slots),
        internal_note=internal_note,
        customer_reply=customer_reply,
        agent_reply=agent_template.format_map(slots),
    )


# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------

_TAG_NOTES: dict[str, tuple[str, ...]] = {
    "老年客户": (
        "客户年纪较大，听力不好，请放慢语速并耐心解释",
        "客户为独居老人，上门服务前请先联系其女儿",
        "老年客户，不习惯使用App，请优先电话沟通",
    ),
    "高价值": (
        "近一年在我司购买多件高端家电，请优先响应",
        "整套厨电均在我司购买，请注意维护客户关系",
    ),
    "多次投诉": (
        "曾因配送延误多次投诉，沟通时注意语气并及时反馈进度",
        "历史投诉较多，处理结果请以短信书面确认",
    ),
    "敏感客户": (
        "客户曾表示会向媒体反映问题，回复口径需经主管确认",
        "客户对隐私较敏感，请勿在电话中复述完整地址",
    ),
    "VIP": ("VIP客户，来电请直接转VIP专席",),
    "偏好电话联系": ("客户不常看短信，重要事项请电话告知",),
    "偏好线上沟通": ("客户上班时间不便接电话，请通过在线客服或微信留言",),
    "装修中": ("新房装修中，预计下月集中采购厨电和空调",),
    "价格敏感": ("客户关注价格，有活动时可主动告知",),
    "听力障碍": ("客户有听力障碍，请使用短信或在线文字沟通",),
    "母婴家庭": ("家中有婴儿，上门服务请避开午睡时间",),
    "以旧换新意向": ("家中有多台旧家电，有以旧换新意向",),
    "新客户": ("首次在我司购物，请耐心介绍服务流程",),
    "企业采购": ("以单位名义采购，开票前请核对抬头和税号",),
}
_TAGS: tuple[str, ...] = tuple(_TAG_NOTES)
_COMPANY_ROLES = _split("行政采购负责人|后勤部经理|采购部主管|工程部对接人|总经理助理")
_COMPANY_NEEDS = _split(
    "年度批量采购空调和热水器，报价需企业客户部审批|"
    "负责门店及员工宿舍的家电采购，需统一开具增值税专用发票|"
    "客房电视及空调更换项目对接人，要求安装集中在夜间进行|"
    "食堂厨电采购对接人，付款走对公转账|"
    "多个办公点的电器采购与报修统一由其对接"
)
_LEVEL_POOL = _weighted((("normal", 55), ("silver", 25), ("gold", 14), ("platinum", 6)))
_TIER_POOL = _weighted((("general", 80), ("potential", 12), ("core", 6), ("strategic", 2)))
_CHANNEL_POOL = _weighted(
    (("phone", 35), ("wechat", 20), ("chat", 15), ("sms", 10), ("email", 10), ("portal", 10))
)


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A demo customer (CRM-3, CRM-4)."""

    name: str
    phone: str
    email: str | None
    member_level: str
    """One of :data:`MEMBER_LEVELS`."""
    tier: str
    """Key-account tier, one of :data:`TIERS`."""
    tags: list[str]
    preferred_channel: str
    """One of :data:`CHANNELS`."""
    notes: str
    city: str


def customer_profile(rng: random.Random) -> CustomerProfile:
    """Generate one demo customer with name, contact data, tier, tags and a CRM note.

    About 60 % have an e-mail address. Core and strategic key accounts are company buyers:
    ``name`` stays a person's name and the company appears in ``notes``.
    """
    rand = rng.random
    name = person_name(rng)
    phone = mobile_number(rng)
    email = email_for(rng, name) if rand() < 0.6 else None
    member_level = _pick(rand, _LEVEL_POOL)
    tier = _pick(rand, _TIER_POOL)
    city = _pick(rand, _CITIES)

    tags: list[str] = []
    for _ in range(int(rand() * 4)):  # 0-3 tags
        tag = _pick(rand, _TAGS)
        if tag not in tags:
            tags.append(tag)
    if tier in ("core", "strategic") and "企业采购" not in tags:
        tags.insert(0, "企业采购")
        del tags[3:]
    if member_level == "platinum" and rand() < 0.5 and "VIP" not in tags and len(tags) < 3:
        tags.append("VIP")

    if "偏好电话联系" in tags and "偏好线上沟通" in tags:
        tags.remove("偏好线上沟通")
    if "听力障碍" in tags and "偏好电话联系" in tags:
        tags.remove("偏好电话联系")
    if "偏好电话联系" in tags:
        channel = "phone"
    elif "偏好线上沟通" in tags or "听力障碍" in tags:
        channel = _pick(rand, ("chat", "wechat", "portal", "sms"))
    else:
        channel = _pick(rand, _CHANNEL_POOL)
    if channel == "email" and email is None:
        channel = "phone"

    notes: list[str] = []
    if tier in ("core", "strategic"):
        company = f"{city}{_pick(rand, _COMPANY_WORDS)}{_pick(rand, _COMPANY_SUFFIXES)}"
        notes.append(f"{company}{_pick(rand, _COMPANY_ROLES)}，{_pick(rand, _COMPANY_NEEDS)}")
    for tag in tags:
        if tag == "企业采购" and notes:
            continue
        if rand() < 0.7:
            notes.append(_pick(rand, _TAG_NOTES[tag]))
            break
    return CustomerProfile(
        name=name,
        phone=phone,
        email=email,
        member_level=member_level,
        tier=tier,
        tags=tags,
        preferred_channel=channel,
        notes="；".join(notes),
        city=city,
    )
