import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

export class KpiQuery {
  @ApiPropertyOptional({ description: 'ISO 8601, inclusive; default: 24 hours before `to`', example: '2026-12-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive; default: now', example: '2026-12-02T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;
}
