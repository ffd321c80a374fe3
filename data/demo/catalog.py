"""Fixed catalogue of the demo city: departments, categories with SLAs, place names."""

from __future__ import annotations

import pandas as pd

DEPARTMENTS: list[tuple[str, str, str, float]] = [
    # code, name_zh, name_en, speed factor (share of the close SLA a typical case takes / 0.45)
    ("sanitation", "区环卫中心", "Sanitation Centre", 0.55),
    ("urban_mgmt", "区城管执法局", "Urban Management Bureau", 0.9),
    ("environment", "区生态环境局", "Ecology & Environment Bureau", 1.15),
    ("municipal", "区市政市容委", "Municipal Administration Commission", 1.55),
    ("water", "区水务局", "Water Authority", 0.6),
    ("traffic", "交通支队", "Traffic Police Detachment", 0.7),
    ("fire", "消防救援支队", "Fire and Rescue Detachment", 0.45),
    ("housing", "区住建委", "Housing & Construction Commission", 1.7),
    ("street_office", "街道办事处", "Street Office", 1.0),
    ("landscaping", "区园林绿化局", "Landscaping Bureau", 1.3),
]
"""Departments with deliberately different speeds (municipal and housing run late)."""

CATEGORIES: list[tuple[str, str, str, str, float, float, float, bool]] = [
    # code, zh, en, department, sla_response_h, sla_close_h, share of events, video-detectable
    ("garbage", "暴露垃圾", "Exposed garbage", "sanitation", 2, 24, 0.17, True),
    ("street_vending", "占道经营", "Street vending", "urban_mgmt", 2, 24, 0.12, True),
    ("illegal_construction", "违法建设", "Illegal construction", "urban_mgmt", 4, 72, 0.05, False),
    ("noise", "噪音扰民", "Noise nuisance", "environment", 2, 24, 0.08, False),
    ("air_pollution", "大气污染（油烟扬尘）", "Air pollution (fumes, dust)", "environment", 2, 48, 0.05, False),
    ("road_damage", "道路破损", "Road damage", "municipal", 4, 72, 0.07, False),
    ("manhole", "井盖缺失破损", "Missing or damaged manhole cover", "municipal", 1, 12, 0.03, False),
    ("waterlogging", "积水内涝", "Waterlogging", "water", 1, 12, 0.03, False),
    ("streetlight", "路灯故障", "Street light failure", "municipal", 4, 48, 0.05, False),
    ("bike_parking", "共享单车乱停放", "Badly parked shared bikes", "traffic", 2, 24, 0.10, True),
    ("illegal_parking", "违规停车", "Illegal parking", "traffic", 1, 8, 0.09, True),
    ("fire_hazard", "消防隐患", "Fire hazard", "fire", 1, 12, 0.03, False),
    ("group_rental", "群租房", "Group rental", "housing", 4, 72, 0.03, False),
    ("neighbour_dispute", "邻里纠纷", "Neighbour dispute", "street_office", 2, 48, 0.06, False),
    ("greenery", "绿化损坏", "Damaged greenery", "landscaping", 4, 72, 0.04, False),
]
"""Event categories, their default department and SLA (hours)."""

SENSOR_KINDS: list[tuple[str, str, float, str, float]] = [
    # kind, unit, alarm threshold, category of the events alarms create, share of sensors
    ("pm25", "µg/m³", 75.0, "air_pollution", 0.35),
    ("noise", "dB(A)", 70.0, "noise", 0.25),
    ("water_level", "cm", 20.0, "waterlogging", 0.2),
    ("manhole", "°", 15.0, "manhole", 0.2),
]
"""IoT sensor kinds (air, noise, water level, manhole cover tilt)."""

STREET_NAMES: list[tuple[str, str]] = [
    ("东湖街道", "Donghu Street"),
    ("金盏街道", "Jinzhan Street"),
    ("望花街道", "Wanghua Street"),
    ("青年路街道", "Qingnianlu Street"),
    ("团结湖街道", "Tuanjiehu Street"),
    ("麦子店街道", "Maizidian Street"),
    ("六里屯街道", "Liulitun Street"),
    ("八里庄街道", "Balizhuang Street"),
    ("双井街道", "Shuangjing Street"),
    ("劲松街道", "Jinsong Street"),
    ("潘家园街道", "Panjiayuan Street"),
    ("十里河街道", "Shilihe Street"),
]

COMMUNITY_WORDS: list[tuple[str, str]] = [
    ("东里", "Dongli"),
    ("西里", "Xili"),
    ("南里", "Nanli"),
    ("北里", "Beili"),
    ("花园", "Garden"),
    ("家园", "Homes"),
    ("新村", "New Village"),
    ("嘉园", "Jiayuan"),
    ("苑", "Court"),
    ("小区", "Estate"),
    ("一区", "Zone 1"),
    ("二区", "Zone 2"),
    ("三区", "Zone 3"),
    ("湖畔", "Lakeside"),
    ("枫林", "Maple"),
]

DESCRIPTIONS: dict[str, list[str]] = {
    "garbage": ["路边垃圾堆放未清运", "垃圾桶满溢", "绿化带内有生活垃圾"],
    "street_vending": ["商户店外经营占用人行道", "流动摊贩占道经营", "早市摊位越线"],
    "illegal_construction": ["楼顶私搭乱建", "小区内违规扩建", "擅自改建门脸"],
    "noise": ["夜间施工噪音", "商铺外放音响", "广场舞音量过大"],
    "air_pollution": ["餐饮油烟直排", "工地扬尘", "露天焚烧"],
    "road_damage": ["路面坑槽", "人行道砖松动", "路缘石破损"],
    "manhole": ["井盖缺失", "井盖破损下沉", "井盖异响"],
    "waterlogging": ["雨后路口积水", "下穿通道积水", "排水口堵塞"],
    "streetlight": ["路灯不亮", "路灯白天常亮", "灯杆倾斜"],
    "bike_parking": ["共享单车堆放堵塞出入口", "地铁口单车乱停", "单车占用盲道"],
    "illegal_parking": ["机动车占用消防通道", "人行道违规停车", "路口违停"],
    "fire_hazard": ["楼道堆放杂物", "电动车楼内充电", "消防设施损坏"],
    "group_rental": ["疑似群租房", "隔断出租", "人员频繁进出"],
    "neighbour_dispute": ["楼上漏水纠纷", "宠物扰民", "公共空间占用纠纷"],
    "greenery": ["树木倒伏", "绿地被踩踏", "树枝遮挡路灯"],
}
"""Short Chinese descriptions per category (internal pages only)."""


def departments_frame() -> pd.DataFrame:
    """The ``departments`` table."""
    return pd.DataFrame([d[:3] for d in DEPARTMENTS], columns=["code", "name_zh", "name_en"])


def categories_frame() -> pd.DataFrame:
    """The ``categories`` table."""
    return pd.DataFrame(
        [c[:6] for c in CATEGORIES],
        columns=["code", "name_zh", "name_en", "department", "sla_response_h", "sla_close_h"],
    ).astype({"sla_response_h": float, "sla_close_h": float})
