import { createHash } from 'crypto';
import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import type Redis from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LoginDto, LoginResponse } from './auth.dto';
import { toUserResponse, UsersService } from '../users/users.service';

// A hash to verify against when the user does not exist, so both paths take the same time.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= argon2.hash('no such user', { type: argon2.argon2id }));

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The per-client rate limit (ThrottlerGuard) does not stop a password guessed from many addresses: failed logins
   * are also counted per account, in Redis (every API process sees them). Past the limit the account's logins answer
   * 429 until its window closes, the right password included; a successful login clears the count.
   */
  async login(dto: LoginDto): Promise<LoginResponse> {
    const failuresKey = `login-failures:${createHash('sha256').update(dto.email.trim().toLowerCase()).digest('hex')}`;
    // Counted before the password is checked, and decided on the count INCR returns: guesses sent in parallel (each
    // waiting seconds in argon2) cannot all read a count under the limit. A right password takes its attempt back.
    const [[, attempts]] = (await this.redis.multi().incr(failuresKey).pexpire(failuresKey, this.config.LOGIN_LOCKOUT_MINUTES * 60_000, 'NX').exec()) as [[Error | null, number]];
    if (attempts > this.config.LOGIN_FAILURES_PER_ACCOUNT) {
      throw new HttpException(`too many failed logins for this account: try again in ${this.config.LOGIN_LOCKOUT_MINUTES} minutes`, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.users.findForLogin(dto.email);
    const ok = await argon2.verify(user?.passwordHash ?? (await getDummyHash()), dto.password).catch(() => false);
    if (!user || !ok) throw new UnauthorizedException('wrong e-mail or password');
    await this.redis.del(failuresKey);
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role, name: user.displayName });
    const { exp, iat } = this.jwt.decode(accessToken) as { exp: number; iat: number };
    return { accessToken, expiresIn: exp - iat, user: toUserResponse(user) };
  }
}
