"""Thin, idempotent Celery tasks over logistics.services."""

from celery import shared_task

from logistics import services


@shared_task
def shipment_orders_deliver(shipment_ids: list[int]) -> int:
    return services.shipment_orders_deliver(shipment_ids=shipment_ids)


@shared_task
def shipment_exceptions_detect() -> int:
    return len(services.shipment_exceptions_detect())


@shared_task
def shipment_exceptions_notify(exception_ids: list[int]) -> int:
    return services.shipment_exceptions_notify(exception_ids=exception_ids)


@shared_task
def carrier_quality_refresh() -> int:
    return services.carrier_quality_refresh()
