"""Land registry JSON -> domain records."""

from __future__ import annotations

from connectors.land.models import LandRecordsModel
from gateway.domain.land import LandParcel, LandRecords, Mortgage, PropertySeizure, RealEstate


def to_domain(model: LandRecordsModel) -> LandRecords:
    return LandRecords(
        real_estate=tuple(
            RealEstate(
                unit_number=r.unit_number,
                certificate_number=r.certificate_number,
                location=r.location,
                usage=r.usage,
                floor_area_m2=r.floor_area_m2,
                ownership=r.ownership,
                share=r.share,
                co_owners=tuple(r.co_owners),
                registered_on=r.registered_on,
                status=r.status,
            )
            for r in model.real_estate
        ),
        land=tuple(
            LandParcel(
                parcel_number=p.parcel_number,
                location=p.location,
                usage=p.usage,
                area_m2=p.area_m2,
                right_type=p.right_type,
                grant_contract_number=p.grant_contract_number,
                grant_price=p.grant_price,
                grant_paid=p.grant_paid,
                construction_started_on=p.construction_started_on,
                construction_completed_on=p.construction_completed_on,
                registered_on=p.registered_on,
            )
            for p in model.land
        ),
        mortgages=tuple(
            Mortgage(
                certificate_number=m.certificate_number,
                unit_number=m.unit_number,
                mortgagee=m.mortgagee,
                secured_amount=m.secured_amount,
                term_start=m.term_start,
                term_end=m.term_end,
                registered_on=m.registered_on,
            )
            for m in model.mortgages
        ),
        seizures=tuple(
            PropertySeizure(
                unit_number=s.unit_number,
                court=s.court,
                case_number=s.case_number,
                seized_from=s.seized_from,
                seized_until=s.seized_until,
                waiting=s.waiting,
            )
            for s in model.seizures
        ),
    )
