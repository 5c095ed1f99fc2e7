; 64 threads each make the first call of @bad (defined in another input).
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)
declare i32 @puts(ptr)
declare i32 @fflush(ptr)
declare i64 @bad(i64)
@start = private constant [6 x i8] c"start\00"
@joined = private constant [7 x i8] c"joined\00"

define internal ptr @body(ptr %p) {
entry:
  %x = ptrtoint ptr %p to i64
  %r = call i64 @bad(i64 %x)
  %q = inttoptr i64 %r to ptr
  ret ptr %q
}

define i32 @main() {
entry:
  %t = alloca [64 x i64]
  %s = call i32 @puts(ptr @start)
  %f = call i32 @fflush(ptr null)
  br label %create
create:
  %i = phi i64 [ 0, %entry ], [ %i1, %create ]
  %slot = getelementptr [64 x i64], ptr %t, i64 0, i64 %i
  %arg = inttoptr i64 %i to ptr
  %c = call i32 @pthread_create(ptr %slot, ptr null, ptr @body, ptr %arg)
  %i1 = add i64 %i, 1
  %more = icmp ult i64 %i1, 64
  br i1 %more, label %create, label %join
join:
  %j = phi i64 [ 0, %create ], [ %j1, %join ]
  %jslot = getelementptr [64 x i64], ptr %t, i64 0, i64 %j
  %th = load i64, ptr %jslot
  %jr = call i32 @pthread_join(i64 %th, ptr null)
  %j1 = add i64 %j, 1
  %jmore = icmp ult i64 %j1, 64
  br i1 %jmore, label %join, label %done
done:
  %d = call i32 @puts(ptr @joined)
  ret i32 0
}
