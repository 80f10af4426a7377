// PipelineHost: pipeline files, plugin registry and loader, executor, sinks.
