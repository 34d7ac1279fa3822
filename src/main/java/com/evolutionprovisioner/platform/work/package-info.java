/**
 * The durable work pipeline, written once: a row in a component's table is the truth; a {@link
 * com.evolutionprovisioner.platform.work.WorkNudge} through the broker makes it worked within a second
 * ({@link com.evolutionprovisioner.platform.work.NudgeSender}, {@link com.evolutionprovisioner.platform.work.NudgeReceiver});
 * a {@link com.evolutionprovisioner.platform.work.SafetyNetRound} on every node ({@link
 * com.evolutionprovisioner.platform.work.SafetyNetTimer}) finds what the broker lost; failed attempts back off by a
 * {@link com.evolutionprovisioner.platform.work.RetryPolicy}; rows out of attempts are
 * {@link com.evolutionprovisioner.platform.work.DeadLetters} an operator replays (one list of all: GET
 * /api/admin/dead-letters). Its users implement {@link com.evolutionprovisioner.platform.work.DurableWork} on their
 * own table with their own settings: provisioning ({@code queue.*}; deletions and relocations ride its rows) and
 * webhook event application ({@code webhook.apply.*}). No SQL of theirs lives here.
 */
package com.evolutionprovisioner.platform.work;
