"""The demo county, 宝丰县 (410421), as the rows of a directory workbook.

`demo_directory_rows()` returns exactly what a bureau would type into the directory import workbook: one
list of rows per sheet, each row mapping a column header to a cell string ('' for a blank cell). Lists
inside a cell are joined with the Chinese enumeration comma (、); booleans are 是/否. The demo seeding goes
through the same import code as a real county's workbook, so the demo also exercises the importer.

All people, phone numbers and codes here are invented. Mobile numbers follow a clearly fake pattern
(a 3-digit prefix, 3750 for the 0375 area code, then a running number); villages' names are invented too.
The data is hand-written and deterministic: every call returns identical rows.

This module imports nothing from Django (only the workbook layout), so plain scripts can use it too.
"""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.onboarding.workbook import SHEETS

DEMO_COUNTY_CODE = "410421"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - a published demo password, never used outside the demo county

DEMO_SECRETARY_NAME = "郑志远"
DEMO_COUNTY_HEAD_NAME = "高明哲"
# The first 副县长 in protocol order; liaises with 周庄镇 and 闹店镇 and owns the demo leader account.
DEMO_VICE_HEAD_NAME = "杜文博"

LIST_SEPARATOR = "、"
YES = "是"
NO = "否"
BUREAU_UNIT = "县信访局"  # the bureau among the departments: the matters it handles itself

SHEET_COUNTY = "县"
SHEET_TOWNSHIPS = "乡镇"
SHEET_VILLAGES = "村(社区)"
SHEET_DEPARTMENTS = "县直单位"
SHEET_TOWNSHIP_TEAM = "乡镇班子成员"
SHEET_LEADERS = "县级领导"
SHEET_UNIT_ACCOUNTS = "单位账号"

# Sheet name -> column headers, in workbook order.

# --- County --------------------------------------------------------------------------------------------

_COUNTY = ("410421", "宝丰县", "平顶山市", "河南省", "宝丰县信访局")

# --- Townships -----------------------------------------------------------------------------------------

# (name, short name, code, party secretary, township head (站长 for the forest station), account username)
_TOWNSHIPS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("城关镇", "城关", "410421100", "王振宇", "李俊峰", "chengguan"),
    ("周庄镇", "周庄", "410421101", "张立群", "刘艳红", "zhouzhuang"),
    ("闹店镇", "闹店", "410421102", "陈海军", "杨子健", "naodian"),
    ("石桥镇", "石桥", "410421103", "赵永生", "黄晓光", "shiqiao"),
    ("商酒务镇", "商酒务", "410421104", "周文涛", "吴建平", "shangjiuwu"),
    ("大营镇", "大营", "410421105", "徐志勇", "孙丽华", "daying"),
    ("张八桥镇", "张八桥", "410421106", "胡明亮", "朱长顺", "zhangbaqiao"),
    ("杨庄镇", "杨庄", "410421107", "郭晓辉", "何建新", "yangzhuang"),
    ("赵庄镇", "赵庄", "410421108", "马红旗", "林志华", "zhaozhuang"),
    ("前营乡", "前营", "410421200", "高建民", "郑玉霞", "qianying"),
    ("李庄乡", "李庄", "410421201", "罗振兴", "梁文杰", "lizhuang"),
    ("肖旗乡", "肖旗", "410421202", "宋国庆", "谢小兵", "xiaoqi"),
    ("观音堂林站", "观音堂", "410421400", "韩青山", "唐国富", "guanyintang"),
)

# Township -> its twelve villages (村) and communities (社区).
_VILLAGES: dict[str, tuple[str, ...]] = {
    "城关镇": (
        "东大街社区",
        "西大街社区",
        "南大街社区",
        "北大街社区",
        "龙兴社区",
        "文化路社区",
        "人民路社区",
        "商业街社区",
        "新华社区",
        "丁营村",
        "郝庄村",
        "大韩庄村",
    ),
    "周庄镇": (
        "周庄村",
        "马街村",
        "杨楼村",
        "西高皇村",
        "小店村",
        "刘庄村",
        "孙庄村",
        "王湾村",
        "宋庄村",
        "冢张村",
        "胡庄村",
        "吴寨村",
    ),
    "闹店镇": (
        "闹店村",
        "郝寨村",
        "李楼村",
        "焦庄村",
        "黄楼村",
        "程庄村",
        "冯庄村",
        "洪庄村",
        "大刘村",
        "小刘村",
        "崔庄村",
        "鲁庄村",
    ),
    "石桥镇": (
        "石桥村",
        "边庄村",
        "营里村",
        "大黄村",
        "小黄村",
        "韩庄村",
        "余庄村",
        "郭庄村",
        "陈营村",
        "杨沟村",
        "柴庄村",
        "薛庄村",
    ),
    "商酒务镇": (
        "商酒务社区",
        "商东村",
        "商西村",
        "寨子村",
        "贺庄村",
        "任庄村",
        "罗庄村",
        "耿庄村",
        "金庄村",
        "袁庄村",
        "孟庄村",
        "彭庄村",
    ),
    "大营镇": (
        "大营村",
        "清凉寺村",
        "段庄村",
        "白石坡村",
        "蒋庄村",
        "龙王沟村",
        "董庄村",
        "杜庄村",
        "李家沟村",
        "朱庄村",
        "徐营村",
        "东营村",
    ),
    "张八桥镇": (
        "张八桥村",
        "杨桥村",
        "井营村",
        "郭营村",
        "申庄村",
        "翟庄村",
        "丁庄村",
        "姚庄村",
        "潘庄村",
        "杜岗村",
        "方庄村",
        "后营村",
    ),
    "杨庄镇": (
        "杨庄社区",
        "马川村",
        "高庄村",
        "卢庄村",
        "付庄村",
        "程寨村",
        "南营村",
        "北营村",
        "东岭村",
        "西岭村",
        "魏庄村",
        "汪庄村",
    ),
    "赵庄镇": (
        "赵庄村",
        "大韩村",
        "史庄村",
        "常庄村",
        "裴庄村",
        "许营村",
        "范庄村",
        "侯庄村",
        "庞庄村",
        "苗庄村",
        "白庄村",
        "姜庄村",
    ),
    "前营乡": (
        "前营村",
        "黄庄村",
        "后营村",
        "郑庄村",
        "邓庄村",
        "牛庄村",
        "沈庄村",
        "曹庄村",
        "唐庄村",
        "叶庄村",
        "贾庄村",
        "秦庄村",
    ),
    "李庄乡": (
        "李庄村",
        "霍庄村",
        "宋湾村",
        "廖庄村",
        "邵庄村",
        "钱庄村",
        "梁庄村",
        "葛庄村",
        "阎庄村",
        "卫庄村",
        "古城村",
        "鸭子营村",
    ),
    "肖旗乡": (
        "肖旗村",
        "贾寨村",
        "殷庄村",
        "龚庄村",
        "季庄村",
        "石庄村",
        "楼王村",
        "毛庄村",
        "邢庄村",
        "陶庄村",
        "田庄村",
        "岳庄村",
    ),
    "观音堂林站": (
        "观音堂村",
        "玉皇庙村",
        "松林村",
        "石门村",
        "桃园村",
        "青龙沟村",
        "柳树湾村",
        "黄岭村",
        "杏树坪村",
        "北岭村",
        "南岭村",
        "香山村",
    ),
}

# Township -> its four team members (班子成员) besides the two main leaders: (name, post).
_TOWNSHIP_TEAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "城关镇": (
        ("王晓燕", "党委副书记"),
        ("李德全", "副镇长"),
        ("张春华", "纪委书记"),
        ("刘志国", "武装部长"),
    ),
    "周庄镇": (
        ("陈红梅", "党委副书记"),
        ("杨振江", "副镇长"),
        ("赵春生", "纪委书记"),
        ("黄丽霞", "政法委员"),
    ),
    "闹店镇": (
        ("周海燕", "党委副书记"),
        ("吴俊杰", "副镇长"),
        ("徐长江", "纪委书记"),
        ("孙建华", "组织委员"),
    ),
    "石桥镇": (
        ("胡晓丽", "党委副书记"),
        ("朱永强", "副镇长"),
        ("郭新华", "纪委书记"),
        ("何永刚", "武装部长"),
    ),
    "商酒务镇": (
        ("马俊丽", "党委副书记"),
        ("林海波", "副镇长"),
        ("高远航", "纪委书记"),
        ("郑德明", "政法委员"),
    ),
    "大营镇": (
        ("罗晓梅", "党委副书记"),
        ("梁志伟", "副镇长"),
        ("宋长青", "纪委书记"),
        ("谢东升", "组织委员"),
    ),
    "张八桥镇": (
        ("韩雪峰", "党委副书记"),
        ("唐明辉", "副镇长"),
        ("冯玉兰", "纪委书记"),
        ("于建国", "武装部长"),
    ),
    "杨庄镇": (
        ("董晓芳", "党委副书记"),
        ("程立伟", "副镇长"),
        ("曹玉洁", "纪委书记"),
        ("袁红伟", "政法委员"),
    ),
    "赵庄镇": (
        ("邓志军", "党委副书记"),
        ("傅建成", "副镇长"),
        ("沈丽娜", "纪委书记"),
        ("曾凡军", "组织委员"),
    ),
    "前营乡": (
        ("彭晓川", "党委副书记"),
        ("吕玉梅", "副乡长"),
        ("苏建中", "纪委书记"),
        ("卢新宇", "武装部长"),
    ),
    "李庄乡": (
        ("蒋春燕", "党委副书记"),
        ("蔡宏伟", "副乡长"),
        ("贾振山", "纪委书记"),
        ("丁晓红", "政法委员"),
    ),
    "肖旗乡": (
        ("魏东亮", "党委副书记"),
        ("薛桂英", "副乡长"),
        ("叶志鹏", "纪委书记"),
        ("阎国顺", "组织委员"),
    ),
    "观音堂林站": (
        ("余海洋", "党委副书记"),
        ("潘春花", "副站长"),
        ("杜明远", "纪委书记"),
        ("戴永红", "武装部长"),
    ),
}

# --- County departments --------------------------------------------------------------------------------

# (name, head, head's post, account username). The short name is the name without the leading 县.
# 县公安局's head is the vice county head who doubles as police chief (see _LEADERS), the same person.
_DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("县公安局", "魏振华", "局长", "gongan"),
    ("县人社局", "白建军", "局长", "renshe"),
    ("县住建局", "崔海龙", "局长", "zhujian"),
    ("县自然资源局", "康志平", "局长", "ziranziyuan"),
    ("县农业农村局", "毛国华", "局长", "nongyenongcun"),
    ("县教体局", "秦文礼", "局长", "jiaoti"),
    ("县卫健委", "江雪芳", "主任", "weijian"),
    ("县民政局", "史红亮", "局长", "minzheng"),
    ("县生态环境分局", "顾建勋", "分局局长", "shengtaihuanjing"),
    ("县市场监管局", "侯振山", "局长", "shichangjianguan"),
    ("县交通运输局", "邵宏斌", "局长", "jiaotongyunshu"),
    ("县城管局", "孟庆祥", "局长", "chengguanju"),
    ("县司法局", "龚志成", "局长", "sifa"),
    ("县法院", "钱书文", "院长", "fayuan"),
    ("县检察院", "尹正义", "检察长", "jianchayuan"),
    ("县信访局", "武宏伟", "局长", "xinfang"),
    ("县财政局", "常庆丰", "局长", "caizheng"),
    ("县水利局", "殷水生", "局长", "shuili"),
    ("县退役军人事务局", "廖永军", "局长", "tuiyijunren"),
)

# --- County leaders ------------------------------------------------------------------------------------

# (name, post kind, full post, body, standing committee, top six (draw), liaison townships,
#  portfolio categories (first-level names), portfolio departments), in protocol order.
_Leader = tuple[str, str, str, str, bool, bool, tuple[str, ...], tuple[str, ...], tuple[str, ...]]

_LEADERS: tuple[_Leader, ...] = (
    # The six main leaders draw a township at random on the down-to-township day: no liaison township.
    (DEMO_SECRETARY_NAME, "县委书记", "县委书记", "县委", True, True, (), (), ()),
    (DEMO_COUNTY_HEAD_NAME, "县长", "县委副书记、县长", "县政府", True, True, (), (), ()),
    ("孙长林", "县人大常委会主任", "县人大常委会主任", "县人大", False, True, (), (), ()),
    ("何玉清", "县政协主席", "县政协主席", "县政协", False, True, (), (), ()),
    ("冯晓东", "县委副书记", "县委副书记", "县委", True, True, (), (), ()),
    (
        "梁国栋",
        "县委政法委书记",
        "县委常委、政法委书记",
        "县委",
        True,
        True,
        (),
        ("政法",),
        ("县司法局", "县法院", "县检察院"),
    ),
    # Other standing committee members.
    (
        "罗文彬",
        "县委常委",
        "县委常委、纪委书记、监委主任",
        "县委",
        True,
        False,
        ("城关镇",),
        ("纪检监察",),
        (),
    ),
    ("唐丽娟", "县委常委", "县委常委、组织部部长", "县委", True, False, ("石桥镇",), ("组织人事",), ()),
    ("曹志刚", "县委常委", "县委常委、宣传部部长", "县委", True, False, ("大营镇",), ("科技与信息产业",), ()),
    ("谢宏亮", "县委常委", "县委常委、统战部部长", "县委", True, False, ("杨庄镇",), (), ()),
    (
        "韩书杰",
        "县委常委",
        "县委常委、县委办公室主任",
        "县委",
        True,
        False,
        ("观音堂林站",),
        ("党务政务",),
        ("县信访局",),
    ),
    (
        "蒋立新",
        "常务副县长",
        "县委常委、常务副县长",
        "县政府",
        True,
        False,
        ("城关镇",),
        ("经济管理",),
        ("县财政局",),
    ),
    # Vice county heads. The first one is the demo owning leader.
    (
        DEMO_VICE_HEAD_NAME,
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("周庄镇", "闹店镇"),
        ("劳动和社会保障", "民政"),
        ("县人社局", "县民政局", "县退役军人事务局"),
    ),
    (
        "魏振华",
        "副县长",
        "副县长、县公安局局长",
        "县政府",
        False,
        False,
        ("赵庄镇",),
        ("政法",),
        ("县公安局",),
    ),
    (
        "范晓峰",
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("商酒务镇",),
        ("城乡建设", "交通运输"),
        ("县住建局", "县交通运输局", "县城管局"),
    ),
    (
        "邓春雨",
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("前营乡",),
        ("农村农业",),
        ("县农业农村局", "县水利局"),
    ),
    (
        "苏雅琴",
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("张八桥镇",),
        ("教育文体", "卫生计生"),
        ("县教体局", "县卫健委"),
    ),
    (
        "吕建设",
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("李庄乡",),
        ("国土资源", "环境保护"),
        ("县自然资源局", "县生态环境分局"),
    ),
    (
        "袁志强",
        "副县长",
        "副县长",
        "县政府",
        False,
        False,
        ("肖旗乡",),
        ("商贸旅游",),
        ("县市场监管局",),
    ),
    # Vice chairs of the people's congress and the CPPCC: liaison townships, no portfolio.
    ("田秀兰", "县人大常委会副主任", "县人大常委会副主任", "县人大", False, False, ("周庄镇",), (), ()),
    ("姜新民", "县人大常委会副主任", "县人大常委会副主任", "县人大", False, False, ("商酒务镇",), (), ()),
    ("段永康", "县人大常委会副主任", "县人大常委会副主任", "县人大", False, False, ("赵庄镇",), (), ()),
    ("侯桂芝", "县人大常委会副主任", "县人大常委会副主任", "县人大", False, False, ("肖旗乡",), (), ()),
    ("邱德胜", "县政协副主席", "县政协副主席", "县政协", False, False, ("张八桥镇",), (), ()),
    ("贺丽萍", "县政协副主席", "县政协副主席", "县政协", False, False, ("前营乡",), (), ()),
    ("付红军", "县政协副主席", "县政协副主席", "县政协", False, False, ("李庄乡",), (), ()),
    ("潘卫国", "县政协副主席", "县政协副主席", "县政协", False, False, ("观音堂林站",), (), ()),
    # Other county-level leaders.
    ("石建伟", "其他县级领导", "县政府党组成员", "县政府", False, False, ("闹店镇",), (), ()),
    ("汪雪梅", "其他县级领导", "县长助理", "县政府", False, False, ("石桥镇",), (), ()),
)

# --- Unit accounts -------------------------------------------------------------------------------------

# Unit full name -> the clerk who holds the unit's account.
_UNIT_CLERKS: dict[str, str] = {
    "城关镇": "马晓雯",
    "周庄镇": "王佳琪",
    "闹店镇": "李雨萱",
    "石桥镇": "张梦瑶",
    "商酒务镇": "刘子涵",
    "大营镇": "陈思远",
    "张八桥镇": "杨文静",
    "杨庄镇": "赵一鸣",
    "赵庄镇": "黄诗琪",
    "前营乡": "周浩然",
    "李庄乡": "吴欣怡",
    "肖旗乡": "徐子轩",
    "观音堂林站": "孙雅婷",
    "县公安局": "胡宇航",
    "县人社局": "朱丽君",
    "县住建局": "郭晨曦",
    "县自然资源局": "何俊熙",
    "县农业农村局": "高梓涵",
    "县教体局": "林佳怡",
    "县卫健委": "罗嘉欣",
    "县民政局": "郑凯文",
    "县生态环境分局": "梁静怡",
    "县市场监管局": "宋雨桐",
    "县交通运输局": "谢明轩",
    "县城管局": "韩若曦",
    "县司法局": "唐子墨",
    "县法院": "冯思琪",
    "县检察院": "董博文",
    "县信访局": "程雅静",
    "县财政局": "曹俊宇",
    "县水利局": "袁梦洁",
    "县退役军人事务局": "邓天佑",
}

# --- Fake mobile numbers -------------------------------------------------------------------------------

# One 7-digit prefix per group of people (prefix + 3750, after the 0375 area code); a running number follows.
_PREFIX_LEADER = "1393750"
_PREFIX_TOWNSHIP_MAIN = "1583750"
_PREFIX_TOWNSHIP_TEAM = "1373750"
_PREFIX_DEPARTMENT_HEAD = "1893750"
_PREFIX_CLERK = "1353750"


def _mobile(prefix: str, number: int) -> str:
    return f"{prefix}{number:04d}"


def _join(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _row(sheet: str, *cells: str) -> dict[str, str]:
    headers = SHEETS[sheet]
    if len(cells) != len(headers):
        raise ValueError(f"{sheet}: expected {len(headers)} cells, got {len(cells)}")
    return dict(zip(headers, cells, strict=True))


def _leader_mobiles() -> dict[str, str]:
    return {leader[0]: _mobile(_PREFIX_LEADER, 1001 + index) for index, leader in enumerate(_LEADERS)}


def demo_directory_rows() -> dict[str, list[dict[str, str]]]:
    """Sheet name -> list of rows; each row maps a column header to a cell string ('' for blank)."""
    leader_mobiles = _leader_mobiles()

    county = [_row(SHEET_COUNTY, *_COUNTY)]

    townships = [
        _row(
            SHEET_TOWNSHIPS,
            name,
            short_name,
            code,
            secretary,
            _mobile(_PREFIX_TOWNSHIP_MAIN, 1001 + 2 * index),
            head,
            _mobile(_PREFIX_TOWNSHIP_MAIN, 1002 + 2 * index),
        )
        for index, (name, short_name, code, secretary, head, _username) in enumerate(_TOWNSHIPS)
    ]

    villages = [
        _row(SHEET_VILLAGES, township, village, "社区" if village.endswith("社区") else "村")
        for township, *_rest in _TOWNSHIPS
        for village in _VILLAGES[township]
    ]

    departments = [
        _row(
            SHEET_DEPARTMENTS,
            name,
            name.removeprefix("县"),
            head,
            post,
            leader_mobiles.get(head, _mobile(_PREFIX_DEPARTMENT_HEAD, 1001 + index)),
        )
        for index, (name, head, post, _username) in enumerate(_DEPARTMENTS)
    ]

    team_members = [
        (township, member, post)
        for township, *_rest in _TOWNSHIPS
        for member, post in _TOWNSHIP_TEAMS[township]
    ]
    township_team = [
        _row(SHEET_TOWNSHIP_TEAM, township, member, post, _mobile(_PREFIX_TOWNSHIP_TEAM, 1001 + index))
        for index, (township, member, post) in enumerate(team_members)
    ]

    leaders = [
        _row(
            SHEET_LEADERS,
            name,
            post_kind,
            post,
            body,
            str(order),
            _yes_no(standing),
            _yes_no(top_six),
            _join(liaison),
            _join(categories),
            _join(portfolio_departments),
            leader_mobiles[name],
        )
        for order, (
            name,
            post_kind,
            post,
            body,
            standing,
            top_six,
            liaison,
            categories,
            portfolio_departments,
        ) in enumerate(_LEADERS, start=1)
    ]

    accounts_source = [(name, username) for name, *_rest, username in _TOWNSHIPS] + [
        (name, username) for name, *_rest, username in _DEPARTMENTS
    ]
    unit_accounts = [
        _row(
            SHEET_UNIT_ACCOUNTS,
            username,
            _UNIT_CLERKS[unit],
            unit,
            _mobile(_PREFIX_CLERK, 1001 + index),
            DEMO_PASSWORD,
            NO,
        )
        for index, (unit, username) in enumerate(accounts_source)
    ]
    # Each unit's 负责人 (the township head, the department's head) approves its extensions; the bureau's
    # own matters are the bureau head's (`bureau_head`).
    heads = [(name, head, username) for name, _short, _code, _secretary, head, username in _TOWNSHIPS] + [
        (name, head, username) for name, head, _post, username in _DEPARTMENTS if name != BUREAU_UNIT
    ]
    unit_accounts += [
        _row(SHEET_UNIT_ACCOUNTS, f"{username}_head", head, unit, "", DEMO_PASSWORD, YES)
        for unit, head, username in heads
    ]

    return {
        SHEET_COUNTY: county,
        SHEET_TOWNSHIPS: townships,
        SHEET_VILLAGES: villages,
        SHEET_DEPARTMENTS: departments,
        SHEET_TOWNSHIP_TEAM: township_team,
        SHEET_LEADERS: leaders,
        SHEET_UNIT_ACCOUNTS: unit_accounts,
    }
