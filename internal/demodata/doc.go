// Package demodata fills the shipped schema with realistic synthetic data: businesses with
// their users, leads, calls, threads, messages, broadcasts, calendars, appointments, reminders
// and activities, shaped so that every shipped backfill finds real work (leads without their
// last call, WhatsApp numbers in local and JID formats, threads without their last message
// time, broadcast deliveries not copied to their messages, businesses without a webhook secret)
// and the indexes have real tables to build on.
//
// Rules:
//   - Scale N means N×BusinessesPerScale businesses, named demo-00001, demo-00002, …. Each
//     business's data is a pure function of its number, so loading is idempotent per scale:
//     businesses already present are skipped, and loading a larger scale adds only the rest.
//   - A business and all its rows are written in one transaction (COPY, pgx CopyFrom): a load
//     killed halfway leaves whole businesses only, and the next load finishes the job.
//   - Ids are explicit, reserved from each table's identity sequence while the load holds an
//     EXCLUSIVE lock on the tables (reads go on; concurrent writers and loads wait).
//   - It is for development, tests and benchmarks: it never runs by itself against a database
//     that steady did not start (make run loads scale 1 into the local development database).
package demodata
