"""潮汐调和预报的简化实现。

只用几个主要分潮估算潮高，适合画示意曲线，不能用于航海。
"""

import math
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Constituent:
    """一个分潮：名称、角速度（度/小时）、振幅（米）和迟角（度）。"""

    name: str
    speed_deg_per_hour: float
    amplitude_m: float
    phase_deg: float


# 主要分潮的角速度，单位：度/小时。
# M2 是主太阴半日分潮，S2 是主太阳半日分潮，K1 和 O1 是全日分潮。
SPEEDS = {
    "M2": 28.9841042,
    "S2": 30.0,
    "N2": 28.4397295,
    "K1": 15.0410686,
    "O1": 13.9430356,
}


def predict_height(constituents: Iterable[Constituent], hours: float, mean_level_m: float = 0.0) -> float:
    """计算某一时刻的潮高（米）。

    把每个分潮的余弦项相加，再加上平均海面。这里忽略了交点因子，
    所以误差可能有十几厘米。
    """
    height = mean_level_m
    for c in constituents:
        # 先把角度换算成弧度
        angle = math.radians(c.speed_deg_per_hour * hours - c.phase_deg)
        height += c.amplitude_m * math.cos(angle)
    return height


# TODO: 加入交点因子 f 和 u 的修正
# def nodal_correction(year):
#     pass
