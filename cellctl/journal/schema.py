"""The production journal's SQLite schema (one file per cell, WAL mode).

Rows are written as the work happens, each in its own committed transaction, so a crash
loses nothing already done. A tightening row is written *before* the screwdriver is started
(status RUNNING, with the tool command id) and completed with the result, so a resume can
tell a screw that was driven from one that was not, and ask the tool for the result of the
same command id instead of driving again.
"""

SCHEMA_VERSION = 3
"""Version 2 added the quality tables (spc_points, spc_limits, quality_alarms), version 3 the
placement inspections (inspections); an older journal is migrated on opening for writing (the
tables are created, nothing else changes) and read as it is by a read-only report."""

READABLE_VERSIONS = (1, 2, 3)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    id             INTEGER PRIMARY KEY,
    serial         TEXT NOT NULL UNIQUE,
    recipe         TEXT NOT NULL,
    recipe_version TEXT NOT NULL,
    cell           TEXT NOT NULL,
    started_at     REAL NOT NULL,            -- wall clock, seconds since the epoch
    ended_at       REAL,
    sim_started    REAL,                     -- backend clock (simulation time or controller time)
    sim_ended      REAL,
    result         TEXT NOT NULL DEFAULT 'RUNNING',  -- RUNNING, OK, NOK, ABORTED
    reason         TEXT
);
CREATE TABLE IF NOT EXISTS steps (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    path        TEXT NOT NULL,               -- the step's place in the recipe tree
    kind        TEXT NOT NULL,               -- pick, place, screw, move, wait, inspect
    arm         TEXT,
    target      TEXT,
    attempt     INTEGER NOT NULL DEFAULT 0,
    started_at  REAL NOT NULL,               -- backend clock
    ended_at    REAL,
    result      TEXT NOT NULL DEFAULT 'RUNNING',  -- RUNNING, OK, FAILED, HALTED
    detail      TEXT,
    UNIQUE (unit_id, path, attempt)
);
CREATE TABLE IF NOT EXISTS tightenings (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    step_id       INTEGER REFERENCES steps(id),
    hole          TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    command_id    INTEGER NOT NULL UNIQUE,
    program       TEXT NOT NULL,
    program_id    INTEGER NOT NULL,
    target_torque REAL NOT NULL,
    torque_min    REAL NOT NULL,
    torque_max    REAL NOT NULL,
    angle_min     REAL NOT NULL,
    angle_max     REAL NOT NULL,
    status        TEXT NOT NULL DEFAULT 'RUNNING',  -- RUNNING, OK, NOK, ABORTED, ERROR; UNKNOWN (outcome lost), VOID (operator: redo)
    torque        REAL,
    angle         REAL,
    failure_class TEXT,
    final         INTEGER NOT NULL DEFAULT 0,  -- 1: the hole's result that counts for the unit
    curve_points  INTEGER NOT NULL DEFAULT 0,
    curve         BLOB,                         -- float32 little-endian rows: time s, torque N·m, angle °
    started_at    REAL NOT NULL,
    ended_at      REAL,
    UNIQUE (unit_id, hole, attempt)
);
CREATE TABLE IF NOT EXISTS faults (
    id       INTEGER PRIMARY KEY,
    unit_id  INTEGER REFERENCES units(id),
    at       REAL NOT NULL,
    source   TEXT NOT NULL,
    code     INTEGER,
    name     TEXT NOT NULL,
    message  TEXT NOT NULL,
    action   TEXT
);
CREATE TABLE IF NOT EXISTS events (
    id       INTEGER PRIMARY KEY,
    unit_id  INTEGER REFERENCES units(id),
    at       REAL NOT NULL,
    kind     TEXT NOT NULL,
    detail   TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spc_points (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER REFERENCES units(id),
    tightening_id INTEGER REFERENCES tightenings(id),
    program       TEXT NOT NULL,
    hole          TEXT NOT NULL,
    value         REAL NOT NULL,             -- final torque, N·m
    phase         TEXT NOT NULL,             -- learning, monitoring
    z             REAL,                      -- sigmas from the centre line
    ewma          REAL,                      -- EWMA statistic, sigmas
    spe           REAL,                      -- curve-shape residual (NULL while the model learns)
    spe_limit     REAL,
    signal        TEXT,                      -- rules this point completed (1..4, ewma, mr, curve)
    at            REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS spc_limits (
    program  TEXT NOT NULL,
    hole     TEXT NOT NULL,
    center   REAL NOT NULL,
    sigma    REAL NOT NULL,
    n        INTEGER NOT NULL,
    source   TEXT NOT NULL,                  -- learned, given
    zone     REAL NOT NULL DEFAULT 3.0,      -- rule 1's limit, sigmas
    ewma_lambda REAL NOT NULL DEFAULT 0.2,
    ewma_width  REAL NOT NULL DEFAULT 2.962, -- EWMA limit, sigmas of the EWMA
    PRIMARY KEY (program, hole)
);
CREATE TABLE IF NOT EXISTS quality_alarms (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER REFERENCES units(id),
    tightening_id INTEGER REFERENCES tightenings(id),
    at            REAL NOT NULL,
    program       TEXT NOT NULL,
    hole          TEXT NOT NULL,
    rule          TEXT NOT NULL,
    value         REAL NOT NULL,
    message       TEXT NOT NULL,
    reaction      TEXT NOT NULL,             -- warn, pause (from the recipe)
    effect        TEXT                       -- what the reaction did
);
CREATE TABLE IF NOT EXISTS inspections (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER REFERENCES units(id),
    step_id   INTEGER REFERENCES steps(id),
    at        REAL NOT NULL,
    camera    TEXT NOT NULL,
    part      TEXT NOT NULL,
    ok        INTEGER NOT NULL,
    problem   TEXT,                          -- missing, shifted, turned, wrong_part (NULL when ok)
    dx        REAL,                          -- measured offset along the part's x, mm
    dy        REAL,                          -- along its y, mm
    yaw       REAL,                          -- degrees
    length    REAL,                          -- measured size, mm
    width     REAL,
    tolerance REAL NOT NULL,                 -- mm (x and y each)
    message   TEXT NOT NULL,
    image     TEXT                           -- the annotated picture (PNG) beside the journal
);
CREATE INDEX IF NOT EXISTS steps_by_unit ON steps(unit_id);
CREATE INDEX IF NOT EXISTS tightenings_by_unit ON tightenings(unit_id, hole);
"""
