import mongoose from 'mongoose';

const schema = new mongoose.Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['user', 'admin'], default: 'user' },
  },
  { timestamps: true },
);
schema.index({ email: 1 }, { unique: true });

export type UserDoc = mongoose.InferSchemaType<typeof schema>;
export const userModel = (conn: mongoose.Connection) => conn.model('User', schema, 'users');
