import { randomUUID } from "node:crypto";
import { MongoServerError, type Collection, type Db } from "mongodb";

export interface User {
  /** Also the owner id of the user's uploads and jobs: [a-z0-9-]{1,63}. */
  id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
}

export class EmailTakenError extends Error {
  override readonly name = "EmailTakenError";
}

export interface UserStore {
  create(email: string, passwordHash: string): Promise<User>;
  findByEmail(email: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
}

interface UserDoc {
  _id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
}

const toUser = (d: UserDoc): User => ({ id: d._id, email: d.email, passwordHash: d.passwordHash, createdAt: d.createdAt });

/** Users in MongoDB `users`; the unique email index, not a read-then-write, decides who gets an address. */
export class MongoUserStore implements UserStore {
  private readonly users: Collection<UserDoc>;
  constructor(db: Db) {
    this.users = db.collection<UserDoc>("users");
  }

  async ensureIndexes(): Promise<void> {
    await this.users.createIndex({ email: 1 }, { unique: true, name: "email_unique" });
  }

  async create(email: string, passwordHash: string): Promise<User> {
    const doc: UserDoc = { _id: randomUUID(), email, passwordHash, createdAt: new Date() };
    try {
      await this.users.insertOne(doc);
    } catch (err) {
      if (err instanceof MongoServerError && err.code === 11000) throw new EmailTakenError(email);
      throw err;
    }
    return toUser(doc);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const d = await this.users.findOne({ email });
    return d ? toUser(d) : undefined;
  }

  async findById(id: string): Promise<User | undefined> {
    const d = await this.users.findOne({ _id: id });
    return d ? toUser(d) : undefined;
  }
}
