/**
 * The initial schema (store/README.md describes every table). Written once for both dialects:
 * the only dialect-specific part is how an auto-increment id column is spelled.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations work on the untyped builder */
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, string>;

/** The indexed expression for "last 10 digits of cards.number"; queries must use the same one. */
export function numberTail(dialect: Dialect) {
  return dialect === 'postgres' ? sql`right(number, 10)` : sql`substr(number, -10)`;
}

export function initial(dialect: Dialect) {
  const withId = (t: Table): Table =>
    dialect === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    async up(db: AnyDb): Promise<void> {
      const s = db.schema;

      await withId(s.createTable('disks'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(s.createTable('aggregators'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('link_token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('link_token_hint', 'text', (c) => c.notNull())
        .addColumn('link_mode', 'text', (c) => c.notNull().defaultTo('client'))
        .addColumn('server_ip', 'text')
        .addColumn('server_token', 'text')
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('modems', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('step', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_heard_at', 'bigint')
        .addColumn('serial', 'text')
        .addColumn('firmware', 'text')
        .addColumn('disk_id', 'integer', (c) => c.references('disks.id').onDelete('set null'))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(s.createTable('cards'))
        .addColumn('aggregator_id', 'integer', (c) => c.notNull().references('aggregators.id').onDelete('cascade'))
        .addColumn('place', 'text', (c) => c.notNull())
        .addColumn('place_sort', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('number', 'text')
        .addColumn('iccid', 'text')
        .addColumn('operator', 'text')
        .addColumn('balance', 'double precision')
        .addColumn('last_balance', 'double precision')
        .addColumn('balance_at', 'bigint')
        .addColumn('last_balance_at', 'bigint')
        .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('number_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('cards_aggregator_place_uq', ['aggregator_id', 'place'])
        .execute();
      // Number unique only when known: many cards may have no number yet (legacy flaw §1.2).
      await s.createIndex('cards_number_uq').on('cards').column('number').unique()
        .where('number', 'is not', null).execute();
      // Number matching (api.md §1): the last 10 digits, so `9011234567` finds `79011234567`.
      await s.createIndex('cards_number_tail_ix').on('cards').expression(numberTail(dialect)).execute();
      await s.createIndex('cards_aggregator_sort_ix').on('cards').columns(['aggregator_id', 'place_sort', 'place']).execute();
      await s.createIndex('cards_operator_ix').on('cards').column('operator').execute();
      await s.createIndex('cards_iccid_ix').on('cards').column('iccid').execute();

      await withId(s.createTable('operators'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('names', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('country_prefix', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('number_method', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('number_code', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('balance_method', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('balance_code', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('color', 'text', (c) => c.notNull().defaultTo('#808080'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await s.createTable('network_names')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(s.createTable('pools'))
        .addColumn('title', 'text', (c) => c.notNull().unique())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_hint', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await s.createTable('pool_cards')
        .addColumn('pool_id', 'integer', (c) => c.notNull().references('pools.id').onDelete('cascade'))
        .addColumn('card_id', 'integer', (c) => c.notNull().references('cards.id').onDelete('cascade'))
        // Copies of cards.aggregator_id / place_sort: allocation walks one index in API order.
        .addColumn('aggregator_id', 'integer', (c) => c.notNull())
        .addColumn('place_sort', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('used_at', 'bigint')
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pool_cards_pk', ['pool_id', 'card_id'])
        .execute();
      await s.createIndex('pool_cards_card_ix').on('pool_cards').column('card_id').execute();
      await s.createIndex('pool_cards_alloc_ix').on('pool_cards').columns(['pool_id', 'used', 'aggregator_id', 'place_sort', 'card_id']).execute();
      await s.createIndex('pool_cards_order_ix').on('pool_cards').columns(['pool_id', 'aggregator_id', 'place_sort', 'card_id']).execute();

      await s.createTable('card_online')
        .addColumn('card_id', 'integer', (c) => c.primaryKey().references('cards.id').onDelete('cascade'))
        .addColumn('aggregator_id', 'integer', (c) => c.notNull().references('aggregators.id').onDelete('cascade'))
        .addColumn('desired', 'text', (c) => c.notNull())
        .addColumn('opened_by_pool', 'integer', (c) => c.references('pools.id').onDelete('set null'))
        .addColumn('opened_at', 'bigint')
        .addColumn('position', 'text', (c) => c.notNull().defaultTo('HOLD'))
        .addColumn('channel', 'integer')
        .addColumn('status_code', 'integer')
        .addColumn('status_at', 'bigint')
        .addColumn('ring_caller', 'text')
        .addColumn('ring_at', 'bigint')
        .addColumn('grab_calls', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex('card_online_aggregator_ix').on('card_online').columns(['desired', 'aggregator_id']).execute();

      await withId(s.createTable('device_requests'))
        .addColumn('aggregator_id', 'integer', (c) => c.notNull().references('aggregators.id').onDelete('cascade'))
        .addColumn('card_id', 'integer', (c) => c.references('cards.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
        .addColumn('result', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .execute();
      await s.createIndex('device_requests_queue_ix').on('device_requests').columns(['aggregator_id', 'status', 'id']).execute();

      await withId(s.createTable('sms'))
        .addColumn('card_id', 'integer', (c) => c.notNull().references('cards.id').onDelete('cascade'))
        .addColumn('number', 'text')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('read', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('parts_missing', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await s.createIndex('sms_card_received_ix').on('sms').columns(['card_id', 'received_at']).execute();
      await s.createIndex('sms_received_ix').on('sms').column('received_at').execute();

      await withId(s.createTable('sms_parts'))
        .addColumn('card_id', 'integer', (c) => c.notNull().references('cards.id').onDelete('cascade'))
        .addColumn('number', 'text')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('smsc', 'text')
        .addColumn('scts', 'bigint')
        .addColumn('ref', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('pdu', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('sms_id', 'integer', (c) => c.references('sms.id').onDelete('set null'))
        .execute();
      await s.createIndex('sms_parts_group_ix').on('sms_parts').columns(['card_id', 'sender', 'ref', 'total']).execute();
      await s.createIndex('sms_parts_pending_ix').on('sms_parts').columns(['sms_id', 'received_at']).execute();

      await withId(s.createTable('sms_outbox'))
        .addColumn('card_id', 'integer', (c) => c.notNull().references('cards.id').onDelete('cascade'))
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
        .addColumn('origin', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('result', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('result_at', 'bigint')
        .execute();
      await s.createIndex('sms_outbox_queue_ix').on('sms_outbox').columns(['status', 'card_id']).execute();

      await withId(s.createTable('calls'))
        .addColumn('card_id', 'integer', (c) => c.notNull().references('cards.id').onDelete('cascade'))
        .addColumn('number', 'text')
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('read', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await s.createIndex('calls_card_at_ix').on('calls').columns(['card_id', 'at']).execute();

      await withId(s.createTable('users'))
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull().defaultTo('ru'))
        .addColumn('pool_scope', 'text')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await s.createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex('sessions_user_ix').on('sessions').column('user_id').execute();

      await withId(s.createTable('api_tokens'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await withId(s.createTable('audit_log'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('ip', 'text')
        .execute();
      await s.createIndex('audit_log_at_ix').on('audit_log').column('at').execute();

      await s.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await withId(s.createTable('tasks'))
        .addColumn('aggregator_id', 'integer', (c) => c.notNull().references('aggregators.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
        .addColumn('pool_id', 'integer', (c) => c.references('pools.id').onDelete('set null'))
        .addColumn('card_id', 'integer', (c) => c.references('cards.id').onDelete('set null'))
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('success', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('report', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_by', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex('tasks_queue_ix').on('tasks').columns(['aggregator_id', 'status', 'id']).execute();

      await withId(s.createTable('task_units'))
        .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('result', 'text')
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .execute();
      await s.createIndex('task_units_task_ix').on('task_units').columns(['task_id', 'status']).execute();

      await withId(s.createTable('disk_cards'))
        .addColumn('disk_id', 'integer', (c) => c.notNull().references('disks.id').onDelete('cascade'))
        .addColumn('place', 'text', (c) => c.notNull())
        .addColumn('number', 'text')
        .addColumn('iccid', 'text')
        .addColumn('operator', 'text')
        .addColumn('balance', 'double precision')
        .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await s.createIndex('disk_cards_disk_ix').on('disk_cards').column('disk_id').execute();

      await s.createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .execute();

      await s.createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
    },

    async down(db: AnyDb): Promise<void> {
      for (const t of ['nodes', 'leases', 'disk_cards', 'task_units', 'tasks', 'settings', 'audit_log',
        'api_tokens', 'sessions', 'users', 'calls', 'sms_outbox', 'sms_parts', 'sms', 'device_requests',
        'card_online', 'pool_cards', 'pools', 'network_names', 'operators', 'cards', 'aggregators', 'disks']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
