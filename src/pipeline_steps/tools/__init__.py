"""Tools around the builders: the CLI, the demo, pipeline templates, Mermaid, mock AWS."""
