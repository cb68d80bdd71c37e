/** Stands in for a page's `data` prop: reactive, replaced when the load runs again. */
export class LoadData<T> {
  value = $state() as T;

  constructor(value: T) {
    this.value = value;
  }
}
