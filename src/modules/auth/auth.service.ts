import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
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
  ) {}

  async login(dto: LoginDto): Promise<LoginResponse> {
    const user = await this.users.findForLogin(dto.email);
    const ok = await argon2.verify(user?.passwordHash ?? (await getDummyHash()), dto.password).catch(() => false);
    if (!user || !ok) throw new UnauthorizedException('wrong e-mail or password');
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role, name: user.displayName });
    const { exp, iat } = this.jwt.decode(accessToken) as { exp: number; iat: number };
    return { accessToken, expiresIn: exp - iat, user: toUserResponse(user) };
  }
}
