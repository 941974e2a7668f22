/**
 * Builds legacy SR-Navigator databases on the local MariaDB for the import tests, in the two
 * shapes the spec describes (panel-features.md §1, device-link.md §5.1/§10.3):
 *
 * - `sept-2021`: the install schema after Sept 2021 (no `modems.row/numbers/pool_id`, no
 *   `card2pool.done`), plus drift: extra columns (`devices.ip_internal`, `sms_incoming.place`,
 *   `operators.prefix_r`, `cards.extra_note`), a latin1 column holding CP1251 bytes and a utf8
 *   column written through a latin1 connection;
 * - `may-2021`: the earlier schema with `modems.row/numbers/pool_id` and `card2pool.done`, missing
 *   columns (`cards.iccid`, `cards.last_balance`, `sms_incoming.modified`, `devices.serial`) and
 *   tables (`folders`, `cards2folder`, `operators_uniq`), no UNIQUE index on `cards.number` and
 *   `devices.token_remote` (so a number appears on two cards and a token on two devices),
 *   `devices.ver`, and a cp1251 SMS column.
 *
 * Filled with legacy-shaped data including the quirks: blocked cards whose number is the slot,
 * pools keyed by number, serialized blobs (good, corrupt, with CP1251 strings), unmerged SMS parts.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export interface LegacyDb { name: string; url: string; drop(): Promise<void> }

/** PHP serialize() of plain data (test helper; strings counted in bytes of their encoding). */
export function php(v: unknown, enc: (s: string) => Buffer = (s) => Buffer.from(s, 'utf8')): Buffer {
  if (v === null) return Buffer.from('N;');
  if (typeof v === 'boolean') return Buffer.from(`b:${v ? 1 : 0};`);
  if (typeof v === 'number') return Buffer.from(Number.isInteger(v) ? `i:${v};` : `d:${v};`);
  if (typeof v === 'string') { const b = enc(v); return Buffer.concat([Buffer.from(`s:${b.length}:"`), b, Buffer.from('";')]); }
  const entries = Object.entries(v as Record<string, unknown>);
  const parts: Buffer[] = [Buffer.from(`a:${entries.length}:{`)];
  for (const [k, x] of entries) parts.push(/^\d+$/.test(k) ? Buffer.from(`i:${k};`) : php(k, enc), php(x, enc));
  parts.push(Buffer.from('}'));
  return Buffer.concat(parts);
}

const cp1251 = (s: string) => {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out.push(c < 0x80 ? c : c >= 0x410 && c <= 0x44f ? c - 0x410 + 0xc0 : c === 0x401 ? 0xa8 : c === 0x451 ? 0xb8 : 0x3f);
  }
  return Buffer.from(out);
};

const T = 1_666_358_130; // 2022-10-21 13:15:30 UTC

const COMMON_DDL = (shape: 'may-2021' | 'sept-2021') => [
  `CREATE TABLE devices (
    id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(64) NOT NULL DEFAULT '',
    model ENUM('SR-Train','SR-Nano-500','SR-Nano-1000','SR-Box-8','SR-Box-2','SR-Box-Bank','SR-Box-2-Bank','SR-Box-8-Smart','SR-Organizer','SR-Organizer-Smart','SR-Board','SR-Quantum') NOT NULL,
    type VARCHAR(10) NOT NULL DEFAULT 'client', token_remote VARCHAR(10) NOT NULL DEFAULT '', token_local VARCHAR(5) NOT NULL DEFAULT '',
    ip VARCHAR(64) NOT NULL DEFAULT '', modems VARCHAR(128) NOT NULL DEFAULT '', step INT NOT NULL DEFAULT 0, data TEXT,
    ${shape === 'sept-2021' ? "serial VARCHAR(32) NOT NULL DEFAULT '', ip_internal VARCHAR(32) NOT NULL DEFAULT ''," : "ver VARCHAR(16) NOT NULL DEFAULT '', rev INT NOT NULL DEFAULT 0,"}
    serial_time INT NOT NULL DEFAULT 0, folder TEXT, press INT NOT NULL DEFAULT 0, errors INT NOT NULL DEFAULT 0, msg TEXT,
    status INT NOT NULL DEFAULT 0, init INT NOT NULL DEFAULT 0, pause INT NOT NULL DEFAULT 0,
    ${shape === 'sept-2021' ? 'UNIQUE KEY token_remote (token_remote)' : 'KEY token_remote (token_remote)'}
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE cards (
    id INT AUTO_INCREMENT PRIMARY KEY, device INT NOT NULL DEFAULT 0, place VARCHAR(16) NOT NULL DEFAULT '',
    number VARCHAR(32) NOT NULL DEFAULT '', ${shape === 'sept-2021' ? "iccid VARCHAR(32) NOT NULL DEFAULT ''," : ''} operator VARCHAR(64) NOT NULL DEFAULT '',
    title VARCHAR(128) ${shape === 'sept-2021' ? 'CHARACTER SET latin1' : ''} NOT NULL DEFAULT '', comment TEXT, balance DECIMAL(10,2) NOT NULL DEFAULT 0,
    ${shape === 'sept-2021' ? 'last_balance DECIMAL(10,2) NOT NULL DEFAULT 0, extra_note VARCHAR(10),' : ''}
    time_balance INT NOT NULL DEFAULT 0, time_last_balance INT NOT NULL DEFAULT 0, time INT NOT NULL DEFAULT 0, time_number INT NOT NULL DEFAULT 0,
    time_sms INT NOT NULL DEFAULT 0, status VARCHAR(16) NOT NULL DEFAULT 'free', email VARCHAR(64) NOT NULL DEFAULT '', roaming INT NOT NULL DEFAULT 0,
    folder INT NOT NULL DEFAULT 0, num INT NOT NULL DEFAULT 0, user_id INT NOT NULL DEFAULT 0, data TEXT,
    ${shape === 'sept-2021' ? 'UNIQUE KEY operator (number)' : 'KEY operator (number)'}
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE operators (
    id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(64) NOT NULL DEFAULT '', name TEXT, color VARCHAR(7) NOT NULL DEFAULT '',
    prefix VARCHAR(8) NOT NULL DEFAULT '', get_number VARCHAR(64) NOT NULL DEFAULT '', get_number_type VARCHAR(8) NOT NULL DEFAULT '',
    get_balance VARCHAR(64) NOT NULL DEFAULT '', get_balance_type VARCHAR(8) NOT NULL DEFAULT ''
    ${shape === 'sept-2021' ? ", prefix_r VARCHAR(8) NOT NULL DEFAULT ''" : ''}
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE operators_uniq (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, UNIQUE KEY name (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE folders (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(64) NOT NULL DEFAULT '', comment TEXT, time INT NOT NULL DEFAULT 0) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE cards2folder (
    id INT AUTO_INCREMENT PRIMARY KEY, folder_id INT NOT NULL DEFAULT 0, place VARCHAR(16) NOT NULL DEFAULT '', number VARCHAR(32) NOT NULL DEFAULT '',
    iccid VARCHAR(32) NOT NULL DEFAULT '', operator VARCHAR(64) NOT NULL DEFAULT '', title VARCHAR(128) NOT NULL DEFAULT '', comment TEXT,
    balance DECIMAL(10,2) NOT NULL DEFAULT 0, time INT NOT NULL DEFAULT 0, done INT NOT NULL DEFAULT 0
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE pools (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(64) NOT NULL, \`key\` VARCHAR(32) NOT NULL DEFAULT '', status INT NOT NULL DEFAULT 0, time INT NOT NULL DEFAULT 0, marker INT NOT NULL DEFAULT 0, UNIQUE KEY title (title)) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE card2pool (id INT AUTO_INCREMENT PRIMARY KEY, pool INT NOT NULL, card VARCHAR(32) NOT NULL ${shape === 'may-2021' ? ', done INT NOT NULL DEFAULT 0' : ''}, UNIQUE KEY pool (pool, card)) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE modems (id INT AUTO_INCREMENT PRIMARY KEY, time INT NOT NULL DEFAULT 0, device INT NOT NULL, modems TEXT
    ${shape === 'may-2021' ? ", row INT NOT NULL DEFAULT 0, numbers TEXT, pool_id INT NOT NULL DEFAULT 0" : ''}, UNIQUE KEY device (device)) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE sms_incoming (
    id INT AUTO_INCREMENT PRIMARY KEY, time INT NOT NULL DEFAULT 0, time_receive TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ${shape === 'sept-2021' ? 'modified INT NOT NULL DEFAULT 0,' : ''} card_id INT NOT NULL DEFAULT 0, number VARCHAR(32) NOT NULL DEFAULT '',
    sender VARCHAR(15) NOT NULL DEFAULT '', txt TEXT ${shape === 'may-2021' ? 'CHARACTER SET cp1251' : ''}, header VARCHAR(17) NOT NULL DEFAULT '',
    done INT NOT NULL DEFAULT 1, readed INT NOT NULL DEFAULT 0, user_id INT NOT NULL DEFAULT 0
    ${shape === 'sept-2021' ? ", place VARCHAR(16) NOT NULL DEFAULT ''" : ''}
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE call_incoming (id INT AUTO_INCREMENT PRIMARY KEY, time INT NOT NULL DEFAULT 0, number VARCHAR(32) NOT NULL DEFAULT '', incoming VARCHAR(32) NOT NULL DEFAULT '', device INT NOT NULL DEFAULT 0) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  `CREATE TABLE \`values\` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32) NOT NULL, value TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
  ...(shape === 'sept-2021' ? ['CREATE TABLE staff (id INT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(32)) ENGINE=InnoDB DEFAULT CHARSET=utf8'] : []),
  `CREATE TABLE flags (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(15) NOT NULL, device INT NOT NULL, value VARCHAR(64), time INT) ENGINE=InnoDB DEFAULT CHARSET=utf8`,
];

/** Legacy keys and tokens the tests check through the API and the link endpoint. */
export const SEPT = {
  trainToken: '1234567890', bankToken: '2345678901', nanoToken: '3456789012', box8Token: '4567890123',
  mainKey: 'a3f5c2e1b4d6978812345678abcdef01',
};
export const MAY = { box8Token: '5678901234', smartToken: '6789012345', uaKey: 'ffeeddccbbaa99887766554433221100' };

async function fillSept(c: mysql.Connection): Promise<void> {
  const q = (sql: string, params: unknown[] = []) => c.query(sql, params);
  await q(`INSERT INTO devices (id, title, model, type, token_remote, token_local, ip, modems, step, data, serial, folder) VALUES
    (1, 'Поезд 1', 'SR-Train', 'client', ?, '', '', '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', 812, ?, 'TR-001', NULL),
    (2, 'Bank', 'SR-Box-Bank', 'client', ?, '', '', '', 5, ?, '', NULL),
    (3, 'Nano', 'SR-Nano-500', 'client', ?, '', '', '', 0, ?, 'N-5', ?),
    (4, 'Org', 'SR-Organizer', 'client', '', '', '', '', 0, NULL, '', NULL),
    (5, 'Quantum', 'SR-Quantum', 'client', '9999999999', '', '', '', 0, NULL, '', NULL),
    (6, 'Box8 server', 'SR-Box-8', 'server', ?, 'ab12c', '192.168.1.50:8080', '1,2,3,4', 0, 's:10:"abc";', '', NULL)`,
  [SEPT.trainToken, php({ row_begin: 0, rows: 19, time_limit: 300, carrier_limit: 90, activation: 1 }),
    SEPT.bankToken, php({ map: '11000000', time_limit: 200 }),
    SEPT.nanoToken, php({ modem: 'SIM800', activation: 1, storage: 0 }), php({ id: 2, title: 'Диск B' }),
    SEPT.box8Token]);
  await q(`INSERT INTO cards (id, device, place, number, iccid, operator, title, comment, balance, last_balance, time, time_number, time_balance) VALUES
    (1, 1, '04-07', '79161234567', '8970101234567890123', 'MTS RUS', '', 'first', 12.50, 10.00, ?, ?, ?),
    (2, 1, '4-8', '4-8', '', 'MTS RUS', '', '', 0, 0, ?, 0, 0),
    (3, 2, 'C12', '+7 (926) 000-11-22', '', 'MegaFon', '', '', -3.20, 0, ?, 0, 0),
    (4, 2, '20-2', '79260002233', '', 'MegaFon', '', '', 0, 0, ?, 0, 0),
    (5, 3, 'A05', '79031112233', '', 'Beeline', X'CCEEFF2053494D', '', 0, 0, ?, 0, 0),
    (6, 3, 'Z9', '79990000006', '', '', '', '', 0, 0, ?, 0, 0),
    (7, 4, 'A1', '79990000007', '', '', '', '', 0, 0, ?, 0, 0),
    (8, 1, '4-7', '', '', '', '', '', 0, 0, ?, 0, 0),
    (9, 6, 'C', '79995556677', '', 'Tele2', '', '', 0, 0, ?, 0, 0),
    (10, 1, '5-1', '79161234568', '', 'MTS RUS', '', '', 0, 0, ?, 0, 0)`,
  [T, T, T, T, T, T, T, T, T, T, T, T, T]);
  await q(`INSERT INTO operators (id, title, name, color, prefix, get_number, get_number_type, get_balance, get_balance_type, prefix_r) VALUES
    (1, 'MTS', ';MTS;MTS RUS;', 'e30611', '7', '*111*0887#', 'ussd', '*100#', 'ussd', '7'),
    (2, 'Custom Op', ';CUSTOM NET;', '#00ff00', '995', '*1#|2', 'ussd', '', 'none', ''),
    (3, '', '', '', '', '', '', '', '', ''),
    (4, 'Custom Op', ';OTHER;', '', '', '', '', '', '', '')`);
  await q(`INSERT INTO operators_uniq (id, name) VALUES (1, 'MTS RUS'), (2, 'New Net'), (3, '')`);
  await q(`INSERT INTO folders (id, title, comment, time) VALUES (1, 'default', '', 0), (2, 'Диск B', 'inserted', ?), (3, 'Disk C', 'shelf', ?)`, [T, T + 1]);
  await q(`INSERT INTO cards2folder (id, folder_id, place, number, operator, title, balance) VALUES
    (1, 3, 'B07', '79035550001', 'Beeline', 'archived', 5.00), (2, -3, 'B08', '79035550002', '', '', 0), (3, 9, 'A1', '79035550003', '', '', 0),
    (4, 3, 'C3', 'C3', '', '', 0)`);
  await q(`INSERT INTO pools (id, title, \`key\`, time) VALUES (1, 'Main', ?, ?), (2, 'No key', '', ?)`, [SEPT.mainKey, T, T]);
  await q(`INSERT INTO card2pool (pool, card) VALUES (1, '79161234567'), (1, '+7 (926) 000-11-22'), (1, '4-8'), (1, '9161234568'), (1, '70000000000'), (2, '79161234567'), (7, '79161234567')`);
  await q(`INSERT INTO modems (time, device, modems) VALUES (?, 1, ?)`, [T, php({ 1: [4, 1], 9: [4, -2] })]);
  await q(`INSERT INTO sms_incoming (id, time, time_receive, modified, card_id, number, sender, txt, header, done, readed, place) VALUES
    (1, ?, FROM_UNIXTIME(?), ?, 1, '79161234567', 'MTS', 'Ваш код 1234', '', 1, 1, '4-7'),
    (3, ?, FROM_UNIXTIME(?), ?, 3, '79260001122', 'Bank', 'Hello ', '050003CD0201', 0, 0, ''),
    (4, ?, FROM_UNIXTIME(?), ?, 3, '79260001122', 'Bank', 'world', '050003CD0202', 0, 0, ''),
    (5, ?, FROM_UNIXTIME(?), ?, 0, '70000000000', 'X', 'lost', '', 1, 0, ''),
    (6, ?, FROM_UNIXTIME(?), ?, 0, '79161234567', 'Shop', 'part one', '050003AA0301', 0, 0, ''),
    (7, ?, FROM_UNIXTIME(?), ?, 0, '79161234567', 'Odd', 'bad header', 'ZZ', 0, 0, '')`,
  [T, T + 1, T + 1, T + 10, T + 11, T + 11, T + 10, T + 12, T + 12, T, T + 5, T + 5, T, T + 20, T + 20, T, T + 21, T + 21]);
  // SMS 2: CP1251 bytes written through a latin1 connection into the utf8 column ("Áàëàíñ").
  await q(`INSERT INTO sms_incoming (id, time, time_receive, modified, card_id, number, sender, txt, done)
    VALUES (2, ?, FROM_UNIXTIME(?), ?, 0, '79031112233', '111', _latin1 X'${cp1251('Баланс 10 р.').toString('hex')}', 1)`, [T + 30, T + 31, T + 31]);
  await q(`INSERT INTO call_incoming (id, time, number, incoming, device) VALUES (1, ?, '79161234567', '+79035556677', 1), (2, ?, '', '+79035556677', 3), (3, 0, '79161234567', '+7903', 1)`, [T + 40, T + 41]);
  await q(`INSERT INTO \`values\` (name, value) VALUES ('admin_pass', 'secret'), ('code_block', '1')`);
}

async function fillMay(c: mysql.Connection): Promise<void> {
  const q = (sql: string, params: unknown[] = []) => c.query(sql, params);
  await q(`INSERT INTO devices (id, title, model, token_remote, modems, data, ver) VALUES
    (1, 'Box', 'SR-Box-8', ?, '', ?, '6.41'), (2, 'Organizer', 'SR-Organizer-Smart', ?, '', ?, ''), (3, 'Twin', 'SR-Box-8', ?, '', NULL, '')`,
  [MAY.box8Token, php({ time_limit: 300, carrier_limit: 120 }), MAY.smartToken, php({ lines: 2, modems: 1, review: 60, title: 'Органайзер' }, cp1251), MAY.box8Token]);
  await q(`INSERT INTO cards (id, device, place, number, operator, balance, time) VALUES
    (1, 1, 'a', '380501112233', 'UA-KYIVSTAR', 1.00, ?), (2, 2, 'B8', '380502223344', '', 0, ?), (3, 2, 'C1', '380503334455', '', 0, ?),
    (4, 2, 'A1', '380501112233', '', 0, ?)`, [T, T, T, T]);
  await q(`INSERT INTO pools (id, title, \`key\`, time) VALUES (1, 'Ukraine', ?, ?)`, [MAY.uaKey, T]);
  await q(`INSERT INTO card2pool (pool, card, done) VALUES (1, '380501112233', 1), (1, '380502223344', 0)`);
  await q(`INSERT INTO modems (time, device, modems, row, numbers, pool_id) VALUES (?, 1, ?, 0, '380501112233', 1)`, [T, php({ 1: [0, 1] })]);
  await q(`INSERT INTO sms_incoming (id, time, time_receive, card_id, number, sender, txt, header, done, readed) VALUES
    (1, ?, FROM_UNIXTIME(?), 1, '380501112233', 'Kyivstar', 'Привет', '', 1, 0)`, [T, T + 2]);
  await q(`INSERT INTO call_incoming (id, time, number, incoming, device) VALUES (1, ?, '380502223344', 'Unknown', 2), (2, ?, '380501112233', '+380671234567', 2)`, [T + 50, T + 51]);
}

/** Creates and fills a uniquely named legacy database; `drop()` removes it. */
export async function createLegacyDb(shape: 'may-2021' | 'sept-2021'): Promise<LegacyDb> {
  const name = `srnav_${shape.replace('-', '')}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = await mysql.createConnection({ ...MARIADB, charset: 'utf8mb4' });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8`);
    await admin.query(`USE \`${name}\``);
    await admin.query(`SET SESSION sql_mode = ''`);
    for (const ddl of COMMON_DDL(shape)) {
      // The May-2021 install here predates disks and the network-name catalogue (missing tables).
      if (shape === 'may-2021' && /^CREATE TABLE (folders|cards2folder|operators_uniq) /.test(ddl)) continue;
      await admin.query(ddl);
    }
    if (shape === 'sept-2021') await fillSept(admin); else await fillMay(admin);
  } finally { await admin.end(); }
  return {
    name,
    url: `mysql://root@127.0.0.1:3306/${name}`,
    async drop() {
      const c = await mysql.createConnection(MARIADB);
      try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await c.end(); }
    },
  };
}

/**
 * A MariaDB account that may only read `db` (how a legacy panel's own database user looks), with a
 * password full of URL-special characters; `drop()` removes it.
 */
export async function createLegacyReader(db: LegacyDb, password: string): Promise<{ user: string; drop(): Promise<void> }> {
  const user = `simnav_r_${randomBytes(4).toString('hex')}`;
  const c = await mysql.createConnection(MARIADB);
  // Both host forms: a TCP connection from 127.0.0.1 may be matched as either.
  const hosts = ['127.0.0.1', 'localhost'];
  try {
    for (const h of hosts) {
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [user, h, password]);
      await c.query(`GRANT SELECT ON \`${db.name}\`.* TO ?@?`, [user, h]);
    }
  } finally { await c.end(); }
  return {
    user,
    async drop() {
      const d = await mysql.createConnection(MARIADB);
      try { for (const h of hosts) await d.query('DROP USER IF EXISTS ?@?', [user, h]); } finally { await d.end(); }
    },
  };
}
