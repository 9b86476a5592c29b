"""Police JSON -> domain records."""

from __future__ import annotations

from connectors.police.models import PoliceRecordsModel
from gateway.domain.police import HouseholdRegistration, PoliceRecords, TravelDocument, Vehicle


def to_domain(model: PoliceRecordsModel) -> PoliceRecords:
    h = model.household
    return PoliceRecords(
        household=None
        if h is None
        else HouseholdRegistration(
            name=h.name,
            gender=h.gender,
            birth_date=h.birth_date,
            ethnicity=h.ethnicity,
            address=h.address,
            police_station=h.police_station,
            household_number=h.household_number,
            status=h.status,
        ),
        travel_documents=tuple(
            TravelDocument(
                document_type=d.document_type,
                number=d.number,
                issued_on=d.issued_on,
                expires_on=d.expires_on,
                issuing_authority=d.issuing_authority,
                status=d.status,
                last_exit_on=d.last_exit_on,
            )
            for d in model.travel_documents
        ),
        vehicles=tuple(
            Vehicle(
                plate=v.plate,
                vehicle_type=v.vehicle_type,
                brand_model=v.brand_model,
                color=v.color,
                vin=v.vin,
                registered_on=v.registered_on,
                status=v.status,
                seizure_count=v.seizure_count,
            )
            for v in model.vehicles
        ),
    )
