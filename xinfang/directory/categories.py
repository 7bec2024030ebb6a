"""The national petition problem-category taxonomy (信访事项内容分类), as seed data.

Two levels: the 17 first-level classes of SPEC Appendix A (codes "01".."17", in that order) and their
second-level classes (parent code + two digits). Where the appendix lists second-level examples they come
first, in the listed order; the rest follow the national taxonomy as commonly used by county bureaus.

This is only the seed: each county gets its own copy of the tree (`Category` rows), which the petition
bureau (信访局) may edit afterwards — rename, add or deactivate classes to fit local practice. Nothing in
the code should depend on a second-level class existing; first-level names are used as stable keys (for
example in a leader's portfolio, 分管领域).

This module imports nothing from Django so that it can be used by plain scripts and tests.
"""

from __future__ import annotations

CategoryNode = tuple[str, str, tuple[tuple[str, str], ...]]


def _node(code: str, name: str, children: tuple[str, ...]) -> CategoryNode:
    """Number the second-level classes of one first-level class: parent code + two digits."""
    return (code, name, tuple((f"{code}{index:02d}", child) for index, child in enumerate(children, start=1)))


# (code, first-level name, ((code, second-level name), ...))
CATEGORY_TREE: tuple[CategoryNode, ...] = (
    _node(
        "01",
        "政法",
        (
            "社会治安",
            "刑案侦破",
            "诉讼",
            "刑罚执行",
            "警务督察",
            "法律服务",
            "仲裁与调解",
            "行政复议",
            "户籍管理",
            "出入境管理",
            "道路交通安全",
            "消防安全",
            "其他",
        ),
    ),
    _node(
        "02",
        "科技与信息产业",
        ("科技管理", "知识产权", "信息产业", "网络管理", "通信服务", "邮政管理", "其他"),
    ),
    _node("03", "纪检监察", ("贪污贿赂", "滥用职权", "失职渎职", "干部作风", "违反八项规定精神", "其他")),
    _node(
        "04",
        "党务政务",
        ("党的建设", "政务公开", "政务服务", "机构改革", "行政效能", "统战与民族宗教", "其他"),
    ),
    _node(
        "05",
        "国土资源",
        (
            "土地资源管理",
            "土地征收",
            "矿产资源管理",
            "不动产登记",
            "地质灾害防治",
            "测绘地理信息",
            "其他",
        ),
    ),
    _node(
        "06",
        "教育文体",
        (
            "教育管理",
            "学生权益",
            "教师待遇",
            "招生考试",
            "文化管理",
            "体育",
            "新闻出版广电",
            "文物保护",
            "其他",
        ),
    ),
    _node(
        "07",
        "劳动和社会保障",
        (
            "劳动关系",
            "工资福利",
            "劳动保护",
            "就业培训",
            "退休政策及待遇",
            "城镇职工社会保险",
            "城镇居民社会保险",
            "社保基金管理",
            "其他",
        ),
    ),
    _node(
        "08",
        "城乡建设",
        (
            "城乡规划",
            "建设管理",
            "建筑市场",
            "工程质量",
            "村镇建设",
            "城市建设和市政管理",
            "住房保障与房地产",
            "国有土地上房屋征收与补偿",
            "集体土地上房屋拆迁与补偿",
            "物业管理",
            "其他",
        ),
    ),
    _node(
        "09",
        "农村农业",
        (
            "土地承包经营",
            "村务管理",
            "惠农补贴",
            "扶贫开发",
            "动物防疫",
            "农资农技",
            "水库移民",
            "农垦农场",
            "林业管理",
            "水利建设与管理",
            "其他",
        ),
    ),
    _node("10", "卫生计生", ("医政监管", "医患纠纷", "公共卫生", "人口计生", "医疗保障", "其他")),
    _node("11", "环境保护", ("环境污染", "环保管理", "生态保护", "其他")),
    _node(
        "12",
        "交通运输",
        ("公路建设与管理", "道路运输", "出租客运", "铁路", "水运", "民航", "其他"),
    ),
    _node(
        "13",
        "民政",
        (
            "社会救助",
            "优抚",
            "复退安置",
            "军转安置",
            "基层选举和社区建设",
            "区划地名",
            "社会组织管理",
            "养老服务",
            "婚姻登记",
            "殡葬管理",
            "其他",
        ),
    ),
    _node(
        "14",
        "经济管理",
        (
            "财政",
            "税务",
            "金融",
            "审计",
            "统计",
            "企业改制",
            "国资管理",
            "价格",
            "非法集资",
            "其他",
        ),
    ),
    _node("15", "商贸旅游", ("商业贸易", "市场监管", "食品药品安全", "旅游", "消费维权", "其他")),
    _node("16", "组织人事", ("选拔任用", "编制职位", "招录辞退", "考核奖惩", "干部人事档案", "其他")),
    _node("17", "其他", ("历史遗留问题", "表达情感", "其他")),
)

FIRST_LEVEL_NAMES: tuple[str, ...] = tuple(name for _code, name, _children in CATEGORY_TREE)
