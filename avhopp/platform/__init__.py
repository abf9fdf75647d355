"""The ground floor every module stands on: settings, database, jobs, telemetry, web."""
