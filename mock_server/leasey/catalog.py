"""Value lists the Leasey spec holds (enums, feature and amenity names, report labels), read once from it."""

from __future__ import annotations

import re
from functools import cached_property

from ..spec import Spec


class Catalog:
    def __init__(self, spec: Spec):
        self.spec = spec

    def enum(self, schema_name: str) -> list:
        return list(self.spec.component(schema_name)["enum"])

    def descriptions(self, schema_name: str, extension: str = "x-enum-descriptions") -> dict:
        schema = self.spec.component(schema_name)
        return dict(zip(schema["enum"], schema[extension], strict=True))

    @cached_property
    def features(self) -> dict[int, str]:
        return self.descriptions("FeatureId")

    @cached_property
    def building_amenities(self) -> dict[int, str]:
        return self.descriptions("BuildingAmenityId")

    @cached_property
    def furnishing_labels(self) -> dict[int, str]:
        return self.descriptions("Furnishing")

    @cached_property
    def storage_labels(self) -> dict[int, str]:
        return self.descriptions("StorageAvailable", "x-report-values")

    @cached_property
    def marketplaces(self) -> dict[str, bool]:
        """Marketplace name -> whether it is paid."""
        return self.descriptions("MarketplaceName", "x-paid")

    @cached_property
    def property_defaults(self) -> dict:
        """Section 6's defaults of a listing's scalar fields, as the spec's PropertyInput schema gives them."""
        schema = self.spec.component("PropertyInput")["properties"]
        return {name: field["default"] for name, field in schema.items() if "default" in field}

    @staticmethod
    def max_occupancy(bedrooms: float) -> int:
        """Section 6: max_occupancy defaults to bedrooms × 2 (a bachelor, 0.5 bedrooms, 1; no bedrooms, 0)."""
        return int(bedrooms * 2)

    def bucket(self, schema_name: str, count: int) -> str:
        """The label of the bucket `count` falls in (x-bucket-max: largest count per label, null = no bound)."""
        schema = self.spec.component(schema_name)
        for label, largest in zip(schema["enum"], schema["x-bucket-max"], strict=True):
            if largest is None or count <= largest:
                return label
        raise ValueError(f"{count} falls in no bucket of {schema_name}")

    @staticmethod
    def label(value: str) -> str:
        """Report label of an input enum value: 'entire place' -> 'Entire place', 'bi-weekly' -> 'Bi-weekly'."""
        return value[:1].upper() + value[1:]

    @staticmethod
    def slug_base(name: str, suite_unit: str | None) -> str:
        """URL slug from name + suite_unit ({name}-{suite_unit}), before it is made unique."""
        text = f"{name}-{suite_unit}" if suite_unit else name
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "property"

    @classmethod
    def slug(cls, name: str, suite_unit: str | None, taken: set[str]) -> str:
        """The slug base, made unique within the company: -2, -3, ... appended while taken."""
        base = cls.slug_base(name, suite_unit)
        slug, counter = base, 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        return slug
