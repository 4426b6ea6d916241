"""OpenTelemetry traces of commands, only when the config names an exporter.

Off by default, and the OpenTelemetry packages (the `otel` extra) are imported only then:
a service without telemetry neither needs nor loads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any


class Tracing:
    """`span(name, **attributes)` around a command; a no-op without an exporter."""

    def __init__(self, endpoint: str | None, exporter: Any = None) -> None:
        self.tracer: Any = None
        if endpoint is None and exporter is None:
            return
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        except ImportError as exc:
            raise RuntimeError("telemetry is configured but OpenTelemetry is not installed: "
                               "pip install 'azwa[otel]'") from exc
        if exporter is None:
            if endpoint == "console":
                from opentelemetry.sdk.trace.export import ConsoleSpanExporter

                exporter = ConsoleSpanExporter()
            else:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                exporter = OTLPSpanExporter(endpoint=endpoint)
            processor: Any = BatchSpanProcessor(exporter)
        else:
            processor = SimpleSpanProcessor(exporter)
        provider = TracerProvider(resource=Resource.create({"service.name": "azwa"}))
        provider.add_span_processor(processor)
        self.provider = provider
        self.tracer = provider.get_tracer("azwa.http")

    def span(self, name: str, **attributes: Any) -> AbstractContextManager[Any]:
        if self.tracer is None:
            return nullcontext()
        return self._span(name, attributes)

    @contextmanager
    def _span(self, name: str, attributes: dict[str, Any]) -> Iterator[Any]:
        with self.tracer.start_as_current_span(name) as span:
            for key, value in attributes.items():
                if value is not None:
                    span.set_attribute(key, value)
            yield span

    def shutdown(self) -> None:
        if self.tracer is not None:
            self.provider.shutdown()
