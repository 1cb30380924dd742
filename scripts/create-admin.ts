import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvFile } from '../src/config/load-env-file';
import { typeOrmOptions } from '../src/database/typeorm-options';
import { Role, UserEntity } from '../src/modules/users/user.entity';
import { hashPassword } from '../src/modules/users/users.service';

/** Usage: npm run create-admin -- <email> <password> [display name]. Creates or resets an admin. */
async function main(): Promise<void> {
  const [email, password, ...name] = process.argv.slice(2);
  if (!email || !password || password.length < 10) {
    process.stderr.write('usage: npm run create-admin -- <email> <password (10+ chars)> [display name]\n');
    process.exit(64);
  }
  loadEnvFile();
  const ds = new DataSource(typeOrmOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/dialer'));
  await ds.initialize();
  const repo = ds.getRepository(UserEntity);
  const existing = await repo.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  const user = existing ?? repo.create({ email, displayName: name.join(' ') || 'Administrator', role: Role.Admin });
  Object.assign(user, { role: Role.Admin, active: true, passwordHash: await hashPassword(password) });
  await repo.save(user);
  process.stdout.write(`admin ${existing ? 'updated' : 'created'}\n`);
  await ds.destroy();
}

main().catch((e) => {
  process.stderr.write(`create-admin failed: ${(e as Error).message}\n`);
  process.exit(1);
});
