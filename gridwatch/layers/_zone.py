"""Fields shared by the two ban-zone layers."""

from .base import Field, name_field, uuid_field

ZONE_FIELDS = (
    uuid_field(),
    name_field(),
    Field("legal_basis", "TEXT", "划定依据", "Legal basis", required=True),
    Field("in_force_from", "DATE", "生效日期", "In force from", required=True),
    Field("in_force_to", "DATE", "失效日期", "In force until"),
)
