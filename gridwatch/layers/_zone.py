"""Fields shared by the two ban-zone layers."""

from .base import Field, uuid_field

ZONE_FIELDS = (
    uuid_field(),
    Field("name", "TEXT", "名称", "Name", required=True),
    Field("legal_basis", "TEXT", "划定依据", "Legal basis", required=True),
    Field("in_force_from", "DATE", "生效日期", "In force from", required=True),
    Field("in_force_to", "DATE", "失效日期", "In force until"),
)
