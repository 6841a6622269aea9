"""The bundled sample district and its generator."""

from .generator import SCALES, District, generate_district, write_sample

__all__ = ["SCALES", "District", "generate_district", "write_sample"]
